/// A user's choice for one conflicting field.
public enum ConflictChoice: Hashable, Sendable, Codable {
    /// Keep the source's value.
    case source
    /// Keep e-conomic's value.
    case economic
    /// Use this value on both sides (empty clears the field).
    case value(String)

    private enum CodingKeys: String, CodingKey { case keep, value }

    /// Encodes as `{"keep":"source"}`, `{"keep":"economic"}` or `{"value":"…"}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .source: try c.encode("source", forKey: .keep)
        case .economic: try c.encode("economic", forKey: .keep)
        case .value(let value): try c.encode(value, forKey: .value)
        }
    }

    /// Decodes the forms written by ``encode(to:)``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let value = try c.decodeIfPresent(String.self, forKey: .value) {
            self = .value(value)
            return
        }
        switch try c.decode(String.self, forKey: .keep) {
        case "source": self = .source
        case "economic": self = .economic
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .keep, in: c, debugDescription: "Unknown conflict choice '\(other)'")
        }
    }
}
