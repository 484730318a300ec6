/// A message made to read as a sentence on a page: its first letter capitalised and a full stop at the end (none
/// added when it has one). The stores and the API write messages in lower case without a stop.
func sentence(_ message: String) -> String {
    guard let first = message.first else { return message }
    return first.uppercased() + message.dropFirst() + (message.hasSuffix(".") ? "" : ".")
}
