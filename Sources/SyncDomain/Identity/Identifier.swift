public import Foundation

/// What an ``Identifier`` identifies. Each kind is an empty enum, so a link id can never be passed where a
/// request id is expected, while all of them share one implementation.
public protocol IdentifierKind: Sendable {
    /// The kind's name, used as the prefix of names from which ids are derived (e.g. `link`).
    static var name: String { get }
}

/// A UUID that identifies one thing of a ``IdentifierKind`` (a link, an outbound request, an import).
///
/// Encodes as a plain UUID string; prints and orders as the lower-case UUID string.
public struct Identifier<Kind: IdentifierKind>: RawRepresentable, Hashable, Codable, Sendable,
    CustomStringConvertible, Comparable
{
    /// The underlying UUID.
    public var rawValue: UUID

    /// Wraps a UUID.
    /// - Parameter rawValue: The UUID.
    public init(rawValue: UUID) { self.rawValue = rawValue }

    /// Wraps a UUID.
    /// - Parameter uuid: The UUID.
    public init(_ uuid: UUID) { self.rawValue = uuid }

    /// An id derived deterministically from the causing event (or command) id and a purpose
    /// (see ``NameBasedUUID``): deciding twice for the same cause yields the same id, so the second
    /// append collides instead of acting twice.
    /// - Parameters:
    ///   - causationId: The id of the event or command that causes the thing.
    ///   - purpose: What the id is for, e.g. `economic-update:<linkId>` or `link:stripe:cus_1`.
    public static func derived(from causationId: UUID, purpose: String) -> Self {
        Self(NameBasedUUID.make(namespace: causationId, name: Kind.name + "/" + purpose))
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
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }
}
