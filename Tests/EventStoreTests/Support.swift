import EventStore
import Logging
import PGClient
import PostgresTestSupport

/// Test events: a type name and a small JSON payload.
func event(_ type: String, _ value: Int = 0) -> NewEvent {
    NewEvent(type: type, data: PGJSON(text: #"{"value": \#(value)}"#), metadata: EventMetadata(actor: "test"))
}

/// A migrated database with a pool, a store and two tenants, for one test.
func withStore<Result>(
    maxConnections: Int = 6,
    _ body: (EventStore, PGConnectionPool, TestDatabase, TenantID, TenantID) async throws -> Result
) async throws -> Result {
    try await TestDatabase.with { database in
        try await database.withPool(maxConnections: maxConnections) { pool in
            let store = EventStore(pool: pool, logger: database.logger)
            let acme = try await database.addTenant("acme", pool: pool)
            let globex = try await database.addTenant("globex", pool: pool)
            return try await body(store, pool, database, acme, globex)
        }
    }
}

/// Reads forward until at least `count` events are visible, or 30 seconds pass.
///
/// Transaction ids are cluster-wide: while any other test anywhere in the cluster holds a write transaction
/// open, the watermark stays below it and recent events are not yet readable. Real consumers simply wait;
/// so do the tests.
func readForward(
    _ store: EventStore, after checkpoint: Checkpoint = .origin, atLeast count: Int, limit: Int = 1000,
    scope: DatabaseScope = .system, tenant: TenantID? = nil
) async throws -> [RecordedEvent] {
    let deadline = ContinuousClock.now.advanced(by: .seconds(30))
    while true {
        let events = try await store.pool.withTransaction(scope: scope) { connection in
            try await store.readForward(after: checkpoint, limit: limit, tenant: tenant, on: connection)
        }
        if events.count >= count || ContinuousClock.now > deadline { return events }
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// Runs `body` with a connected listener on the events channel and a follower over it that polls only once an
/// hour: within a test, only a notification (and the re-reads after one) can wake it.
func withFollower<Result: Sendable>(_ database: TestDatabase, _ body: (PGListener, Follower) async throws -> Result) async throws -> Result {
    let listener = PGListener(configuration: database.configuration, channels: [EventStore.notificationChannel], logger: database.logger)
    let connected = listener.events()
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await listener.run() }
        defer { group.cancelAll() }
        for await event in connected where event == .reconnected { break }
        let follower = Follower(
            listener: listener, configuration: .init(pollInterval: .seconds(3600)), logger: database.logger, failureMessage: "read failed")
        return try await body(listener, follower)
    }
}
