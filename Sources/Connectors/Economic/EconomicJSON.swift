/// A JSON value. Keeps the fields of an e-conomic resource that ``EconomicCustomer`` does not model, so a
/// read-modify-write PUT does not wipe them, and reads error bodies of any shape.
public enum EconomicJSON: Codable, Sendable, Hashable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number without fraction that fits `Int`.
    case int(Int)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([EconomicJSON])
    /// An object.
    case object([String: EconomicJSON])

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([EconomicJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: EconomicJSON].self))
        }
    }

    /// Encodes the value as it is.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The member of an object, or `nil`.
    public subscript(key: String) -> EconomicJSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// A short text form: strings as they are, numbers and booleans printed, containers as JSON-ish text.
    public var text: String {
        switch self {
        case .null: "null"
        case .bool(let value): String(value)
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): value
        case .array(let values): "[" + values.map(\.text).joined(separator: ",") + "]"
        case .object(let object): "{" + object.keys.sorted().map { "\($0):\(object[$0]!.text)" }.joined(separator: ",") + "}"
        }
    }
}
