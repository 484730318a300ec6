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

    /// Decodes a large batch, in order, in as many parts at once as there are processors (decoding JSON is most of
    /// what a rebuild's fold costs). Runs on the cooperative pool: it is CPU work, with no blocking call.
    /// - Throws: ``UnreadableEvent`` for an event that cannot be read.
    public static func decodeConcurrently(_ events: [RecordedEvent], minimumPart: Int = 500) async throws -> [DomainEvent] {
        let parts = min(ProcessInfo.processInfo.activeProcessorCount, events.count / max(minimumPart, 1))
        guard parts > 1 else { return try decode(events) }
        let size = (events.count + parts - 1) / parts
        return try await withThrowingTaskGroup(of: (Int, [DomainEvent]).self) { group in
            for part in 0..<parts {
                let slice = Array(events[(part * size)..<min((part + 1) * size, events.count)])
                group.addTask { (part, try decode(slice)) }
            }
            var decoded = [[DomainEvent]](repeating: [], count: parts)
            for try await (part, events) in group { decoded[part] = events }
            return decoded.flatMap { $0 }
        }
    }
}
