public import EventStore
import Foundation
public import Logging
import PGClient

/// Rebuilds projections from the first event without stopping reads.
///
/// A projector that can fold a tenant's history in memory (``TenantFoldingProjector``) is built from the first event
/// one tenant at a time, each row written once, and then follows the log in batches from where the fold ended.
///
/// - Whole projection (blue/green): the next version's tables are built from the first event while the
///   active version keeps serving, catch up to the live end of the log, then the views and states swap in one
///   transaction; runners follow the new version from its checkpoint.
/// - One tenant: the tenant's rows are built into staging tables while the live projector keeps running;
///   then, holding the live projector's lock, the staging copy catches up to exactly the live checkpoint and
///   replaces the tenant's live rows in one transaction. Readers see the old rows until that commit.
///
/// No side effects happen during a rebuild: projectors only write their own tables.
public struct Rebuilder: Sendable {
    /// How far a rebuild has come.
    public struct Progress: Sendable, Hashable {
        /// Events applied so far.
        public var done: Int
        /// Events to apply in all (an estimate when events keep arriving).
        public var total: Int
        /// Time since the rebuild started.
        public var elapsed: Duration
        /// Events per second so far.
        public var rate: Double { Double(done) / max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 1e-9) }
    }

    /// What a finished rebuild did.
    public struct Report: Sendable, Hashable {
        /// The projection.
        public var projection: String
        /// The version now active.
        public var version: Int
        /// The tenant rebuilt, or nil for all.
        public var tenant: TenantID?
        /// Events applied.
        public var events: Int
        /// How long it took.
        public var elapsed: Duration
    }

    let store: EventStore
    let logger: Logger

    /// Makes a rebuilder.
    public init(store: EventStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Rebuilds a whole projection into its next version and makes it active (resuming an interrupted build).
    /// - Parameters:
    ///   - projector: the projector.
    ///   - reason: recorded with the new version (e.g. "manual", "match fields changed").
    ///   - batchSize: events per transaction.
    ///   - progress: called a few times a second and once at the end.
    /// - Throws: ``ProjectionError`` (`busy` when another process is building it), database errors.
    public func rebuild(
        _ projector: any Projector, reason: String, batchSize: Int = 5000, progress: @Sendable (Progress) -> Void = { _ in }
    ) async throws -> Report {
        let registry = ProjectionRegistry(pool: store.pool)
        let (version, resumed) = try await registry.beginBuilding(projector, reason: reason)
        let target = ProjectionTarget(projection: projector.name, version: version)
        logger.info("rebuilding", metadata: ["projection": "\(target)", "resumed": "\(resumed)"])
        let start = try await checkpoint(of: target)
        let total = try await countEvents(after: start, tenant: nil, types: projector.eventTypes)
        let started = ContinuousClock.now
        let folded = try await fold(
            projector, into: target, tenant: nil, batchSize: batchSize, total: total, started: started, progress: progress)
        let done = try await catchUp(
            target, projector: projector, batchSize: batchSize, total: total, done: folded, started: started, progress: progress)
        // The new version's tables were filled from empty: their statistics before readers and the runner plan on them.
        do {
            try await registry.analyze(projector, version: version)
        } catch {
            logger.warning("could not refresh the rebuilt tables' statistics", metadata: ["projection": "\(target)", "error": "\(error)"])
        }
        try await registry.activate(projector, version: version)
        let elapsed = ContinuousClock.now - done.started
        progress(Progress(done: done.count, total: max(total, done.count), elapsed: elapsed))
        logger.info("rebuilt", metadata: ["projection": "\(target)", "events": "\(done.count)"])
        return Report(projection: projector.name, version: version, tenant: nil, events: done.count, elapsed: elapsed)
    }

    /// Rebuilds one tenant's rows of a projection's active version, then swaps them in atomically.
    /// - Throws: ``ProjectionError`` (`busy`), database errors. Staging tables are dropped either way.
    public func rebuild(
        _ projector: any Projector, tenant: TenantID, batchSize: Int = 5000, progress: @Sendable (Progress) -> Void = { _ in }
    ) async throws -> Report {
        let registry = ProjectionRegistry(pool: store.pool)
        let version = try await registry.activeVersion(of: projector)
        let live = ProjectionTarget(projection: projector.name, version: version)
        let staging = ProjectionTarget(
            projection: projector.name, version: version, stagingTag: String(UUID().uuidString.lowercased().prefix(8)))
        try await store.pool.withTransaction(scope: .system) { connection in
            try await registry.create(projector, staging, on: connection)
        }
        do {
            let total = try await countEvents(after: .origin, tenant: tenant, types: projector.eventTypes)
            let started = ContinuousClock.now
            let folded = try await fold(
                projector, into: staging, tenant: tenant, batchSize: batchSize, total: total, started: started, progress: progress)
            var done = try await catchUp(
                staging, projector: projector, batchSize: batchSize, tenant: tenant, total: total, done: folded, started: started,
                progress: progress)
            done.count += try await swapIn(staging, over: live, tenant: tenant, projector: projector, batchSize: batchSize)
            try await registry.drop(projector, staging: staging)
            let elapsed = ContinuousClock.now - done.started
            progress(Progress(done: done.count, total: max(total, done.count), elapsed: elapsed))
            return Report(projection: projector.name, version: version, tenant: tenant, events: done.count, elapsed: elapsed)
        } catch {
            await registry.discard(projector, staging: staging, logger: logger)
            throw error
        }
    }

    /// Runs batches until the target has caught up with the end of the log (or with `end`, when given); `done` events
    /// were applied since `started` before (by a fold), and count in the progress.
    func catchUp(
        _ target: ProjectionTarget, projector: any Projector, batchSize: Int, tenant: TenantID? = nil, until end: Checkpoint? = nil,
        total: Int, done: Int = 0, started: ContinuousClock.Instant = .now, progress: @Sendable (Progress) -> Void
    ) async throws -> (count: Int, started: ContinuousClock.Instant) {
        let step = ProjectionStep(projector: projector, store: store)
        var lastReport = started
        var count = done
        while true {
            try Task.checkCancellation()
            switch try await step.run(target: target, batchSize: batchSize, tenant: tenant, until: end) {
            case .locked:
                throw ProjectionError(code: .busy, message: "\(target) is being built by another process; wait for it to finish")
            case .applied(let applied, _):
                count += applied
                let now = ContinuousClock.now
                if now - lastReport > .milliseconds(200) {
                    progress(Progress(done: count, total: max(total, count), elapsed: now - started))
                    lastReport = now
                }
                if applied < batchSize { return (count, started) }
            }
        }
    }

    /// Holding the live projector's lock: bring the live tables up to date, bring the staging copy to exactly
    /// the live checkpoint, and replace the tenant's live rows with the staging rows — one transaction.
    private func swapIn(
        _ staging: ProjectionTarget, over live: ProjectionTarget, tenant: TenantID, projector: any Projector, batchSize: Int
    ) async throws -> Int {
        let step = ProjectionStep(projector: projector, store: store)
        return try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.execute("SELECT pg_advisory_xact_lock(\(ProjectionStep.lockKey(live)))")
            // The live projector may be behind the staging copy (or not running at all): catch it up first.
            let stagingCheckpoint = try await store.loadCheckpoint(
                projection: staging.projection, version: staging.version, shard: staging.shard, on: connection)
            var liveCheckpoint = try await store.loadCheckpoint(projection: live.projection, version: live.version, on: connection)
            while liveCheckpoint < stagingCheckpoint {
                guard case .applied(let count, let checkpoint) = try await step.apply(
                    target: live, batchSize: batchSize, tenant: nil, until: nil, on: connection)
                else { break }
                liveCheckpoint = checkpoint
                if count == 0 { break }
            }
            var applied = 0
            while true {
                guard case .applied(let count, _) = try await step.apply(
                    target: staging, batchSize: batchSize, tenant: tenant, until: liveCheckpoint, on: connection), count > 0
                else { break }
                applied += count
            }
            for table in projector.tables {
                try await connection.execute("DELETE FROM \(unsafeRaw: live.table(table.name)) WHERE tenant_id = \(tenant.rawValue)")
                try await connection.execute(
                    """
                    INSERT INTO \(unsafeRaw: live.table(table.name)) SELECT * FROM \(unsafeRaw: staging.table(table.name))
                    WHERE tenant_id = \(tenant.rawValue)
                    """)
            }
            return applied
        }
    }

    private func checkpoint(of target: ProjectionTarget) async throws -> Checkpoint {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await store.loadCheckpoint(projection: target.projection, version: target.version, shard: target.shard, on: connection)
        }
    }

    private func countEvents(after checkpoint: Checkpoint, tenant: TenantID?, types: Set<String>?) async throws -> Int {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await store.countEvents(after: checkpoint, tenant: tenant, types: types, on: connection)
        }
    }
}
