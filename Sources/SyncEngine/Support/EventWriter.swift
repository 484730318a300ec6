import EventStore
import Foundation
import PGClient
import SyncDomain

/// Appends domain events to their home streams, all streams in one atomic append, each with the version the
/// decision was based on (`versions`); streams not listed must not exist yet (new outbound requests, imports,
/// file customers). A stale version anywhere fails the whole append with a concurrency conflict.
struct EventWriter: Sendable {
    let store: EventStore

    /// Appends `events` and returns their global positions in the order given.
    @discardableResult
    func append(_ events: [SyncEvent], tenant: TenantID, versions: [StreamName: Int64], metadata: CommandMetadata) async throws -> [Int64] {
        guard !events.isEmpty else { return [] }
        var order: [StreamName] = []
        var grouped: [StreamName: [(Int, NewEvent)]] = [:]
        for (index, event) in events.enumerated() {
            let stream = event.homeStream
            if grouped[stream] == nil { order.append(stream) }
            grouped[stream, default: []].append((index, try Self.newEvent(event, metadata: metadata)))
        }
        let appends = try order.map { stream in
            let version = versions[stream] ?? 0
            return StreamAppend(
                stream: try StreamID(stream.rawValue), expecting: version == 0 ? .noStream : .exactly(version),
                events: grouped[stream]!.map(\.1))
        }
        let results = try await store.append(appends, of: tenant)
        var positions = Array(repeating: Int64(0), count: events.count)
        for (stream, result) in zip(order, results) {
            for ((index, _), position) in zip(grouped[stream]!, result.globalPositions) { positions[index] = position }
        }
        return positions
    }

    /// A domain event as a stored event.
    static func newEvent(_ event: SyncEvent, metadata: CommandMetadata) throws -> NewEvent {
        let encoded = try event.encode()
        return NewEvent(
            type: encoded.type, schemaVersion: Int32(encoded.schemaVersion), data: PGJSON(text: String(decoding: encoded.data, as: UTF8.self)),
            metadata: metadata.eventMetadata)
    }
}
