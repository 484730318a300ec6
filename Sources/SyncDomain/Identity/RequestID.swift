public import Foundation

/// Identifies one outbound request (an e-conomic or Stripe write) and its `outbound-<id>` stream.
///
/// Encodes as a plain UUID string.
public struct RequestID: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible, Comparable {
    /// The underlying UUID.
    public var rawValue: UUID

    /// Wraps a UUID.
    /// - Parameter rawValue: The UUID.
    public init(rawValue: UUID) { self.rawValue = rawValue }

    /// Wraps a UUID.
    /// - Parameter uuid: The UUID.
    public init(_ uuid: UUID) { self.rawValue = uuid }

    /// A request id derived deterministically from the causing event (or command) id and a purpose,
    /// e.g. `economic-update:<linkId>` (see ``NameBasedUUID``). Reacting twice to the same event
    /// yields the same request id, so the second append collides instead of writing twice.
    /// - Parameters:
    ///   - causationId: The id of the event or command that causes the request.
    ///   - purpose: What the request is for.
    public static func derived(from causationId: UUID, purpose: String) -> RequestID {
        RequestID(NameBasedUUID.make(namespace: causationId, name: "request/" + purpose))
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
    public static func < (lhs: RequestID, rhs: RequestID) -> Bool { lhs.description < rhs.description }
}
