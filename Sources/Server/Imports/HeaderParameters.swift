/// A header value with `;`-separated parameters, as `Content-Type` and `Content-Disposition` carry them
/// (`form-data; name="file"; filename="kunder.csv"`): quoted values may hold `;` and escaped quotes.
/// Hummingbird's `MediaType` keeps one parameter only; a form part needs two.
struct HeaderParameters {
    /// The value before the first `;`, trimmed.
    var value: String
    /// The parameters, names lowercased.
    var parameters: [String: String]

    init(_ header: String) {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in header {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        value = parts[0].trimmingWhitespace()
        parameters = [:]
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let name = part[..<equals].trimmingWhitespace().lowercased()
            if parameters[name] == nil { parameters[name] = part[part.index(after: equals)...].trimmingWhitespace() }
        }
    }

    /// A parameter's value.
    subscript(_ name: String) -> String? { parameters[name] }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
