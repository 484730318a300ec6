/// Something the mapper changed on purpose and reports (the customer still maps).
public enum MappingWarning: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A free-text value was cut to e-conomic's limit (at a character boundary).
    case truncated(field: String, length: Int, limit: Int)
    /// The name was empty, so the e-mail address became the e-conomic name.
    case nameFromEmail

    /// A message naming the field.
    public var description: String {
        switch self {
        case .truncated(let field, let length, let limit):
            "The value for e-conomic '\(field)' was \(length) characters long and was cut to \(limit)."
        case .nameFromEmail:
            "The customer has no name; its e-mail address is used as the e-conomic name."
        }
    }
}
