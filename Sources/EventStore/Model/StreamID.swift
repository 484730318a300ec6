/// The name of a stream within a tenant (e.g. `customer-stripe-cus_123`, `partners`): 1–500 characters.
public struct StreamID: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The name.
    public let rawValue: String

    /// Validates a stream name.
    /// - Throws: ``EventStoreError`` with code `invalidStreamID` when it is empty or longer than 500 characters.
    public init(_ rawValue: String) throws(EventStoreError) {
        guard !rawValue.isEmpty, rawValue.count <= 500 else {
            throw EventStoreError(code: .invalidStreamID, message: "a stream id must have 1 to 500 characters (got \(rawValue.count))")
        }
        self.rawValue = rawValue
    }

    /// A constant stream name from source code; must be valid.
    public init(stringLiteral value: String) {
        precondition(!value.isEmpty && value.count <= 500, "invalid stream id literal")
        rawValue = value
    }

    /// Decodes and validates a stream name.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes the name as a string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The name.
    public var description: String { rawValue }
}
