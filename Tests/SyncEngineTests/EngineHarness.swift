import EventSourcing
import EventStore
import Foundation
import Logging
import PGClient
import PostgresTestSupport
import Projections
import SyncDomain
import SyncEngine
import Testing

/// A migrated database with the engine running on it: projection runner and listener in the background,
/// a command handler, and a reactor the test drives with `settle()` (and what it holds, with `held.resumeReady()`).
struct EngineHarness {
    let store: EventStore
    let handler: CommandHandler
    let reactor: Reactor
    let held: HeldDecisionService
    /// Applies saved settings changes (failed matches again, mappings to the linked pairs); `settle()` works them through.
    let applications: SettingsApplicationService
    let tenant: TenantID
    let database: TestDatabase

    static let user = CommandMetadata(actor: "user:test")

    /// - Parameters:
    ///   - decidesInBatches: whether the reactor decides runs of events together (see ``SyncEngine/Reactor``).
    ///   - batchSize: a tenant's events the reactor reads and decides per batch.
    ///   - sharding: the reactor's shards, tasks, lease and turn length.
    static func run(
        decidesInBatches: Bool = true, batchSize: Int = 100, sharding: ReactorSharding = ReactorSharding(),
        _ body: (EngineHarness) async throws -> Void
    ) async throws {
        try await TestDatabase.with { database in
            try await database.withPool(maxConnections: 8) { pool in
                let store = EventStore(pool: pool, logger: database.logger)
                let tenant = try await database.addTenant("acme", pool: pool)
                let cache = TenantStateCache(store: store)
                let listener = PGListener(configuration: database.configuration, channels: [EventStore.notificationChannel], logger: database.logger)
                let runner = ProjectionRunner(
                    projectors: AccordProjections.all, store: store, listener: listener, pollInterval: .milliseconds(100), logger: database.logger)
                let reactor = Reactor(
                    store: store, cache: cache, listener: nil, batchSize: batchSize, sharding: sharding, decidesInBatches: decidesInBatches,
                    logger: database.logger)
                let harness = EngineHarness(
                    store: store, handler: CommandHandler(store: store, cache: cache, logger: database.logger), reactor: reactor,
                    held: HeldDecisionService(reactor: reactor, store: store, cache: cache, logger: database.logger),
                    applications: SettingsApplicationService(reactor: reactor, store: store, cache: cache, logger: database.logger), tenant: tenant,
                    database: database)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await listener.run() }
                    group.addTask { try await runner.run() }
                    try await body(harness)
                    group.cancelAll()
                }
            }
        }
    }

    /// Lets the reactor handle everything written so far (and what it writes itself), and changes of mappings be
    /// applied to the linked pairs (unless `applying` is false), until the reactor's checkpoint covers the whole log.
    /// (Open transactions elsewhere hold the watermark back briefly; it waits them out.)
    func settle(applying: Bool = true, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            try await reactor.processPending()
            if applying { try await applications.applyAll() }
            let (total, covered) = try await store.pool.withTransaction(scope: .system) { connection in
                (
                    try await connection.query("SELECT count(*) FROM events").singleValue(Int.self) ?? 0,
                    try await connection.query(
                        """
                        SELECT count(*) FROM events e, projection_checkpoints c
                        WHERE c.projection = \(Reactor.checkpointName) AND c.shard = 'all'
                          AND (e.txid, e.global_position) <= (c.txid, c.global_position)
                        """
                    ).singleValue(Int.self) ?? 0
                )
            }
            if covered >= total { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the reactor did not catch up within \(timeout)")
    }

    /// Waits until every event written so far is below the watermark, where the reactor reads (another test's open
    /// transaction anywhere in the cluster holds the watermark back).
    func waitUntilReadable(timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            let readable = try await store.pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT NOT EXISTS (SELECT 1 FROM events WHERE txid >= pg_snapshot_xmin(pg_current_snapshot()))")
                    .singleValue(Bool.self) ?? false
            }
            if readable { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the events were not all below the watermark within \(timeout)")
    }

    /// Waits until the named read models (all of them by default) have applied everything written so far.
    func waitForReadModels(_ names: [String] = AccordProjections.all.map(\.name), timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            let caughtUp = try await store.pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    """
                    SELECT count(*) FROM projections p
                    LEFT JOIN projection_checkpoints c ON c.projection = p.name AND c.version = p.version AND c.shard = 'all'
                    WHERE p.state = 'active' AND p.name = ANY(\(names)::text[])
                      AND NOT EXISTS (
                          SELECT 1 FROM events e WHERE (e.txid, e.global_position) > (coalesce(c.txid, '0'::xid8), coalesce(c.global_position, 0)))
                    """
                ).singleValue(Int.self) ?? 0
            }
            if caughtUp == names.count { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the read models did not catch up within \(timeout)")
    }

    func observe(_ customer: CustomerRef, _ fields: [String: String], sourceEventID: String? = nil, updatedAt: Date? = nil) async throws
        -> CommandResult
    {
        try await handler.observeCustomer(
            CustomerObserved(customer: customer, fields: fields, sourceEventId: sourceEventID, sourceUpdatedAt: updatedAt), tenant: tenant,
            metadata: Self.user)
    }

    /// Every event of the tenant, decoded, in log order.
    func events() async throws -> [SyncEvent] {
        var all: [SyncEvent] = []
        var checkpoint = Checkpoint.origin
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while true {
            let batch = try await store.readForward(after: checkpoint, limit: 1000)
            guard let last = batch.last else {
                // Other tests' open transactions can hold the watermark back briefly.
                let total = try await store.pool.withConnection { try await $0.query("SELECT count(*) FROM events").singleValue(Int.self) ?? 0 }
                if all.count >= total || ContinuousClock.now > deadline { return all }
                try await Task.sleep(for: .milliseconds(50))
                continue
            }
            all += try DomainEvent.decode(batch).map(\.event)
            checkpoint = last.checkpoint
        }
    }

    func snapshot() async throws -> TenantStateCache.Snapshot {
        try await TenantStateCache(store: store).snapshot(of: tenant)
    }
}

extension SyncEvent {
    var isLink: Bool { if case .partnerLinked = self { true } else { false } }
    var matchFailure: MatchFailure? { if case .matchFailed(let failed) = self { failed.reason } else { nil } }
    var economicWrite: EconomicWriteRequested? { if case .economicWriteRequested(let write) = self { write } else { nil } }
}
