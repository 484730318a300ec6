/// A tenant's id: 1–63 characters of lower-case letters, digits, `-` and `_`, starting with a letter or digit
/// (the same rule as the `tenants.id` check constraint).
public struct TenantID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The id.
    public let rawValue: String

    /// Validates an id.
    /// - Throws: ``EventStoreError`` with code `invalidTenantID` naming the rule that was broken.
    public init(_ rawValue: String) throws(EventStoreError) {
        guard Self.isValid(rawValue) else {
            throw EventStoreError(
                code: .invalidTenantID,
                message: "tenant id '\(rawValue.prefix(80))' is invalid: use 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit"
            )
        }
        self.rawValue = rawValue
    }

    /// True when `text` is a valid tenant id.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        func isLowerAlphanumeric(_ byte: UInt8) -> Bool { (97...122).contains(byte) || (48...57).contains(byte) }
        guard isLowerAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// Decodes and validates an id.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes the id as a string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The id.
    public var description: String { rawValue }

    /// Orders ids alphabetically.
    public static func < (lhs: TenantID, rhs: TenantID) -> Bool { lhs.rawValue < rhs.rawValue }
}
