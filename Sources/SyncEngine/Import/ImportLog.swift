import EventSourcing
import EventStore
import PGClient
import SyncDomain

/// The `import-<importId>` stream as an import run sees it: the folded state (without the list of rejected
/// rows), the version, and the rows rejected by earlier runs.
struct ImportLog: Sendable {
    /// The stream.
    let stream: StreamName
    /// The fold, with `rejectedRows` moved to ``alreadyRejected``.
    var state: ImportState
    /// The stream's version (0: nothing received yet).
    var version: Int64
    /// Rows whose `ImportRowRejected` is already recorded (by an earlier or a concurrent run).
    var alreadyRejected: Set<Int>

    /// Events read per query when folding the stream.
    static let pageSize = 10_000

    /// Loads the stream. A completed import is recognised from its last event alone (a re-upload of an imported
    /// file reads two events, however many rows were rejected); an unfinished one is folded in pages.
    static func load(_ importId: ImportID, store: EventStore, tenant: TenantID) async throws -> ImportLog {
        let name = StreamName.importing(importId)
        let stream = try StreamID(name.rawValue)
        let version = try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await store.streamVersions([stream], of: tenant, on: connection)[stream] ?? 0
        }
        var log = ImportLog(stream: name, state: .initial, version: 0, alreadyRejected: [])
        guard version > 0 else { return log }
        let last = try DomainEvent.decode(try await store.readStream(stream, of: tenant, fromVersion: version, limit: 1))
        if case .importCompleted = last.first?.event {
            let first = try DomainEvent.decode(try await store.readStream(stream, of: tenant, fromVersion: 1, limit: 1))
            log.state = ImportDecider.fold((first + last).map(\.event))
            log.version = version
            return log
        }
        try await log.refresh(store: store, tenant: tenant)
        return log
    }

    /// Reads what was appended to the stream since ``version`` (by a concurrent run of the same file).
    mutating func refresh(store: EventStore, tenant: TenantID) async throws {
        let stream = try StreamID(self.stream.rawValue)
        while true {
            let page = try await store.readStream(stream, of: tenant, fromVersion: version + 1, limit: Self.pageSize)
            for event in try DomainEvent.decode(page) {
                state = ImportDecider.evolve(state, event.event)
                if case .importRowRejected(let rejected) = event.event { alreadyRejected.insert(rejected.row) }
            }
            state.rejectedRows = []
            version = page.last?.streamVersion ?? version
            if page.count < Self.pageSize { return }
        }
    }

    /// The first `limit` rejected rows recorded, in file order.
    func firstRejections(_ limit: Int, store: EventStore, tenant: TenantID) async throws -> [ImportRowRejected] {
        guard limit > 0, version > 1 else { return [] }
        // Rejections follow `ImportReceived` (version 1) in row order; `ImportCompleted` comes last.
        let events = try await store.readStream(try StreamID(stream.rawValue), of: tenant, fromVersion: 2, limit: limit)
        return try DomainEvent.decode(events).compactMap { event in
            if case .importRowRejected(let rejected) = event.event { rejected } else { nil }
        }
    }
}
