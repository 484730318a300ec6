public import EventStore
public import Foundation
public import SyncDomain

/// A recorded event decoded into the domain's catalogue, with where and when it was recorded: what readers of
/// the whole log (projectors, the outbound queue) work with.
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
    /// - Throws: ``UnreadableEvent`` for an unknown type, an unsupported version or a bad payload — never skipped.
    public init(_ recorded: RecordedEvent) throws(UnreadableEvent) {
        self.init(
            tenant: recorded.tenant.rawValue, position: recorded.globalPosition, recordedAt: recorded.recordedAt,
            event: try EventCodec.decode(recorded))
    }

    /// Decodes a batch, in order.
    /// - Throws: ``UnreadableEvent`` for the first event that cannot be decoded, naming its stream and position.
    public static func decode(_ events: [RecordedEvent]) throws(UnreadableEvent) -> [DomainEvent] {
        var decoded: [DomainEvent] = []
        decoded.reserveCapacity(events.count)
        for recorded in events { decoded.append(try DomainEvent(recorded)) }
        return decoded
    }
}
