public import EventStore
public import Foundation
import PGClient
public import SyncDomain

/// A recorded event decoded into the domain's catalogue, with where and when it was recorded.
public struct DomainEvent: Sendable, Hashable {
    /// The tenant it belongs to.
    public var tenant: String
    /// Its global position.
    public var position: Int64
    /// When it was stored.
    public var recordedAt: Date
    /// The event.
    public var event: SyncEvent

    /// Makes a domain event (tests build them directly).
    public init(tenant: String, position: Int64, recordedAt: Date, event: SyncEvent) {
        self.tenant = tenant
        self.position = position
        self.recordedAt = recordedAt
        self.event = event
    }

    /// Decodes a recorded event.
    /// - Throws: ``SyncDomain/EventDecodingError`` for an unknown type, an unsupported version or a bad payload —
    ///   never skipped.
    public init(_ recorded: RecordedEvent) throws {
        self.init(
            tenant: recorded.tenant.rawValue, position: recorded.globalPosition, recordedAt: recorded.recordedAt,
            event: try SyncEvent.decode(type: recorded.type, schemaVersion: Int(recorded.schemaVersion), data: Data(recorded.data.text.utf8)))
    }

    /// Decodes a batch, naming the position of an event that cannot be decoded.
    /// - Throws: ``ProjectionError`` with code `applyFailed`.
    public static func decode(_ events: [RecordedEvent]) throws -> [DomainEvent] {
        try events.map { recorded in
            do {
                return try DomainEvent(recorded)
            } catch {
                throw ProjectionError(
                    code: .applyFailed, message: "event \(recorded.globalPosition) (\(recorded.type)) cannot be decoded", underlying: error)
            }
        }
    }
}
