import Credentials
import EventSourcing
import EventStore
import Foundation
import Logging
import Outbound
import PGClient
import PostgresTestSupport
import Projections
import SyncDomain
import Synchronization
import Testing

/// A migrated database with a pool, a store and two tenants.
func withOutboundStore<Result>(
    maxConnections: Int = 8, _ body: (EventStore, TestDatabase, TenantID, TenantID) async throws -> Result
) async throws -> Result {
    try await TestDatabase.with { database in
        try await database.withPool(maxConnections: maxConnections) { pool in
            let store = EventStore(pool: pool, logger: database.logger)
            let acme = try await database.addTenant("acme", pool: pool)
            let globex = try await database.addTenant("globex", pool: pool)
            return try await body(store, database, acme, globex)
        }
    }
}

/// Appends domain events to their home streams, in order (any expected version), as a command layer would.
func append(_ events: [SyncEvent], tenant: TenantID, store: EventStore) async throws {
    var batch: [StreamAppend] = []
    for event in events {
        let newEvent = try EventCodec.encode(event, metadata: EventMetadata(actor: "test"))
        let stream = try StreamID(event.homeStream.rawValue)
        if let last = batch.indices.last, batch[last].stream == stream {
            batch[last].events.append(newEvent)
        } else {
            batch.append(StreamAppend(stream: stream, expecting: .any, events: [newEvent]))
        }
        if batch.count >= 50 {
            try await store.append(batch, of: tenant)
            batch.removeAll()
        }
    }
    if !batch.isEmpty { try await store.append(batch, of: tenant) }
}

/// Every event in the store, decoded.
func allDomainEvents(_ store: EventStore) async throws -> [DomainEvent] {
    var events: [DomainEvent] = []
    var checkpoint = Checkpoint.origin
    while true {
        let batch = try await store.readForward(after: checkpoint, limit: 5000)
        guard let last = batch.last else { return events }
        events += try DomainEvent.decode(batch)
        checkpoint = last.checkpoint
    }
}

/// Runs a projector until it has applied every event (waiting out other tests' open transactions, which hold
/// the cluster-wide watermark back).
func catchUp(_ projector: any Projector, store: EventStore, expecting total: Int, batchSize: Int = 500) async throws {
    let registry = ProjectionRegistry(pool: store.pool)
    let step = ProjectionStep(projector: projector, store: store)
    let version = try await registry.activeVersion(of: projector)
    let deadline = ContinuousClock.now.advanced(by: .seconds(60))
    while ContinuousClock.now < deadline {
        let outcome = try await step.run(target: ProjectionTarget(projection: projector.name, version: version), batchSize: batchSize)
        if case .applied(0, let checkpoint) = outcome {
            let seen = try await store.pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    "SELECT count(*) FROM events WHERE (txid, global_position) <= (\(String(checkpoint.transactionID))::xid8, \(checkpoint.globalPosition))"
                ).singleValue(Int.self) ?? 0
            }
            if seen >= total { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
    Issue.record("\(projector.name) did not catch up within 60 s")
}

/// Waits until `condition` holds, checking every 50 ms; records an issue and returns false after `timeout`.
@discardableResult
func eventually(
    _ what: String, timeout: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out after \(timeout) waiting for \(what)", sourceLocation: sourceLocation)
    return false
}

/// A logger whose every line (message and metadata) is kept, to check what reaches logs.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    func logger(_ label: String = "test", level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}
