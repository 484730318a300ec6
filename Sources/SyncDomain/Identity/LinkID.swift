public import Foundation

/// Identifies one partner link (a source customer paired with an e-conomic customer).
///
/// Encodes as a plain UUID string.
public struct LinkID: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible, Comparable {
    /// The underlying UUID.
    public var rawValue: UUID

    /// Wraps a UUID.
    /// - Parameter rawValue: The UUID.
    public init(rawValue: UUID) { self.rawValue = rawValue }

    /// Wraps a UUID.
    /// - Parameter uuid: The UUID.
    public init(_ uuid: UUID) { self.rawValue = uuid }

    /// A link id derived deterministically from a causing event or command id and a purpose
    /// (see ``NameBasedUUID``), so that a retried decision produces the same id.
    /// - Parameters:
    ///   - causationId: The id of the event or command that causes the link.
    ///   - purpose: What the id is for, e.g. `link:stripe:cus_1`.
    public static func derived(from causationId: UUID, purpose: String) -> LinkID {
        LinkID(NameBasedUUID.make(namespace: causationId, name: "link/" + purpose))
    }

    /// Encodes as a plain UUID string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Decodes a plain UUID string.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(UUID.self)
    }

    /// The lower-case UUID string.
    public var description: String { rawValue.uuidString.lowercased() }

    /// Orders by the UUID string (for deterministic output).
    public static func < (lhs: LinkID, rhs: LinkID) -> Bool { lhs.description < rhs.description }
}
