import EventStore
import Logging
import Projections
import Synchronization

extension Reactor {
    /// What one round did.
    struct Round: Sendable {
        /// Events handled.
        var handled = 0
        /// Whether some shard was held by another task, so this round did not look at it.
        var busy = false
    }

    /// One round (none when the low-water mark has passed every event): the shards with nothing to decide up to the
    /// horizon have their checkpoints moved to it — when no shard has anything to decide, else at most once a second
    /// (during a backlog the busy shard holds the low-water mark back anyway) —, and every shard free now that has
    /// events to decide gets a turn, the one that has waited longest first, each leased for its turn.
    func round(holder: String) async throws -> Round {
        var round = Round()
        if try await shards.caughtUp() { return round }
        guard let work = try await timed(.turn, { try await shards.work() }) else { return round }
        if !work.behind.isEmpty, work.pending.isEmpty || advanceIsDue() {
            try await timed(.turn) { try await shards.save(work.horizon, ofShards: work.behind) }
        }
        guard !work.pending.isEmpty else { return round }
        var visited: [Int] = []
        while let shard = try await timed(.turn, { try await shards.claim(holder: holder, excluding: visited, among: work.pending) }) {
            visited.append(shard)
            round.handled += try await turn(of: shard, holder: holder)
        }
        round.busy = visited.count < work.pending.count
        return round
    }

    /// Where a tenant stands in a shard's turn.
    struct TenantProgress: Sendable {
        /// Its checkpoint when the turn began.
        let start: Checkpoint
        /// Its events up to here are read: handled, or in the append in flight.
        var readTo: Checkpoint
        /// Its events up to here are handled (nil: none yet this turn); the turn saves it as the tenant's checkpoint.
        var handled: Checkpoint?
        /// Its last batch's append, while it runs (``AppendInFlight``).
        var inFlight: AppendInFlight?

        init(from checkpoint: Checkpoint) {
            start = checkpoint
            readTo = checkpoint
        }

        /// Where the tenant's checkpoint may move (nil: where it was).
        var reached: Checkpoint? { handled.flatMap { $0 > start ? $0 : nil } }
    }

    /// One turn of a shard, which `holder` has leased: in passes, each tenant with events to handle gets one batch,
    /// the least behind first, so a tenant with a backlog of 50,000 events takes one batch per pass and the others'
    /// single changes are decided in the first pass. Passes go on while a tenant has events up to the turn's horizon,
    /// for ``ReactorSharding/turnLength``. A tenant's batch is appended while its next batch is read and decided
    /// (``AppendInFlight``); the appends still running are settled before the turn ends. The lease is renewed before a
    /// batch once a quarter of it has passed. At the turn's end, in one transaction, each tenant's checkpoint moves to
    /// where its handled events reach, the shard's to the oldest of its tenants, and the lease is given back
    /// (``ReactorShards/finish(_:holder:tenants:shardCheckpoint:)``): a crash mid-turn handles the turn's batches again,
    /// which issues nothing new. A tenant whose event fails keeps its checkpoint just before it; the turn goes on with
    /// the other tenants and throws the first failure at its end.
    /// - Returns: the events handled.
    func turn(of shard: Int, holder: String) async throws -> Int {
        var handled = 0
        var progress: [TenantID: TenantProgress] = [:]
        do {
            guard let turn = try await timed(.turn, { try await shards.turn(of: shard) }) else {
                try await timed(.turn) { try await shards.release(shard, holder: holder) }
                return 0
            }
            let ends = ContinuousClock.now.advanced(by: shards.sharding.turnLength)
            var renewed = ContinuousClock.now
            var oldest = turn.horizon
            var failure: (any Error)?
            for pending in turn.tenants { progress[pending.tenant] = TenantProgress(from: pending.checkpoint) }
            var tenants = turn.tenants.map(\.tenant)
            repeat {
                var behind: [TenantID] = []
                for tenant in tenants {
                    if ContinuousClock.now - renewed >= shards.sharding.lease / 4 {
                        renewed = ContinuousClock.now
                        guard try await timed(.turn, { try await shards.renew(shard, holder: holder) }) else {
                            logger.warning("reactor shard taken over by another task mid-turn", metadata: ["shard": "\(shard)", "holder": "\(holder)"])
                            await abandon(&progress)
                            working.forget(turn.tenants.map(\.tenant))
                            try await shards.finish(shard, holder: holder, tenants: progress.compactMapValues(\.reached), shardCheckpoint: nil)
                            return handled
                        }
                    }
                    var tenantProgress = progress[tenant]!
                    do {
                        handled += try await batch(of: tenant, progress: &tenantProgress, until: turn.horizon)
                        if tenantProgress.readTo < turn.horizon { behind.append(tenant) }
                    } catch {
                        // One tenant's failing event never keeps the shard's other tenants waiting; the shard's
                        // checkpoint stays at or before it.
                        failure = failure ?? error
                        oldest = min(oldest, tenantProgress.handled ?? tenantProgress.start)
                    }
                    progress[tenant] = tenantProgress
                }
                tenants = behind
            } while !tenants.isEmpty && ContinuousClock.now < ends
            // The appends still running are settled before the checkpoints move past them.
            for tenant in progress.keys where progress[tenant]?.inFlight != nil {
                var tenantProgress = progress[tenant]!
                do {
                    try await settle(&tenantProgress.inFlight, handled: &tenantProgress.handled)
                    tenantProgress.handled = tenantProgress.readTo
                } catch {
                    failure = failure ?? error
                    oldest = min(oldest, tenantProgress.handled ?? tenantProgress.start)
                    tenants.removeAll { $0 == tenant }
                }
                progress[tenant] = tenantProgress
            }
            oldest = tenants.reduce(oldest) { min($0, progress[$1]!.handled ?? progress[$1]!.start) }
            // Tenants with a backlog left keep their partnering for their next turn; the others' is not needed.
            let behind = Set(tenants)
            working.forget(turn.tenants.map(\.tenant).filter { !behind.contains($0) })
            let reached = progress.compactMapValues(\.reached)
            try await timed(.checkpoint) {
                try await shards.finish(shard, holder: holder, tenants: reached, shardCheckpoint: oldest > turn.base ? oldest : nil)
            }
            if let failure { throw failure }
            return handled
        } catch {
            await abandon(&progress)
            working.forget(progress.keys)
            if (try? await shards.finish(shard, holder: holder, tenants: progress.compactMapValues(\.reached), shardCheckpoint: nil)) == nil {
                try? await shards.release(shard, holder: holder)
            }
            throw error
        }
    }

    /// Waits for every tenant's append in flight when a turn stops short (``abandon(_:handled:)``).
    private func abandon(_ progress: inout [TenantID: TenantProgress]) async {
        for tenant in progress.keys where progress[tenant]?.inFlight != nil {
            var tenantProgress = progress[tenant]!
            await abandon(&tenantProgress.inFlight, handled: &tenantProgress.handled)
            progress[tenant] = tenantProgress
        }
    }

    /// One batch of a tenant: its next events after where it has read up to the turn's horizon, handled in order (the
    /// last run's append may still be running when it returns: ``TenantProgress/inFlight``).
    /// - Returns: how many events were read; `progress` says where the tenant now stands (read up to the horizon when
    ///   it has caught up).
    private func batch(of tenant: TenantID, progress: inout TenantProgress, until horizon: Checkpoint) async throws -> Int {
        let after = progress.readTo
        let batch = try await timed(.read) {
            try await store.pool.withTransaction(scope: .system) { connection in
                try await store.readForwardBatch(after: after, until: horizon, limit: batchSize, tenant: tenant, types: Self.types, on: connection)
            }
        }
        // Matching looks customers up in the match index: it must have applied everything up to the batch's end.
        if let last = batch.events.last {
            try await timed(.waitIndex) { try await ProjectionProgress(store: store).waitUntil([MatchIndexProjector().name], reached: last.checkpoint) }
        }
        // A crash before the turn's end handles the batch again, which issues nothing new (decisions are keyed by their
        // causing event). A failing event keeps the checkpoint just before it.
        do {
            try await handle(batch.events, handled: &progress.handled, inFlight: &progress.inFlight)
        } catch {
            await abandon(&progress.inFlight, handled: &progress.handled)
            throw error
        }
        progress.readTo = batch.readUpTo
        if progress.inFlight == nil { progress.handled = progress.readTo }
        return batch.events.count
    }

    /// Whether a second has passed since a round last moved idle shards' checkpoints (and then it counts as done now).
    private func advanceIsDue() -> Bool {
        shardsAdvanced.withLock { last in
            let now = ContinuousClock.now
            guard last.map({ now - $0 >= .seconds(1) }) ?? true else { return false }
            last = now
            return true
        }
    }

    /// Runs one step of a turn or a batch, recording its time (``ReactorMetrics/Step``).
    func timed<Result, Failure: Error>(_ step: ReactorMetrics.Step, _ body: () async throws(Failure) -> Result) async throws(Failure) -> Result {
        let start = ContinuousClock.now
        defer { metrics.step(step, since: start) }
        return try await body()
    }
}
