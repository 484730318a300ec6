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

    /// One turn of a shard, which `holder` has leased: in passes, each tenant with events to handle gets one batch,
    /// the least behind first, so a tenant with a backlog of 50,000 events takes one batch per pass and the others'
    /// single changes are decided in the first pass. Passes go on while a tenant has events up to the turn's horizon,
    /// for ``ReactorSharding/turnLength``. The lease is renewed before a batch once a quarter of it has passed. At the
    /// turn's end, in one transaction, each tenant's checkpoint moves to where it got, the shard's to the oldest of
    /// its tenants, and the lease is given back (``ReactorShards/finish(_:holder:tenants:shardCheckpoint:)``): a crash
    /// mid-turn handles the turn's batches again, which issues nothing new. A tenant whose event fails keeps its
    /// checkpoint just before it; the turn goes on with the other tenants and throws the first failure at its end.
    /// - Returns: the events handled.
    func turn(of shard: Int, holder: String) async throws -> Int {
        var handled = 0
        // Where each tenant got in this turn, saved at its end (also when it ends early).
        var reached: [TenantID: Checkpoint] = [:]
        do {
            guard let turn = try await timed(.turn, { try await shards.turn(of: shard) }) else {
                try await timed(.turn) { try await shards.release(shard, holder: holder) }
                return 0
            }
            let ends = ContinuousClock.now.advanced(by: shards.sharding.turnLength)
            var renewed = ContinuousClock.now
            var oldest = turn.horizon
            var failure: (any Error)?
            var tenants = turn.tenants
            repeat {
                var behind: [ReactorShards.Pending] = []
                for pending in tenants {
                    if ContinuousClock.now - renewed >= shards.sharding.lease / 4 {
                        renewed = ContinuousClock.now
                        guard try await timed(.turn, { try await shards.renew(shard, holder: holder) }) else {
                            logger.warning("reactor shard taken over by another task mid-turn", metadata: ["shard": "\(shard)", "holder": "\(holder)"])
                            working.forget(turn.tenants.map(\.tenant))
                            try await shards.finish(shard, holder: holder, tenants: reached, shardCheckpoint: nil)
                            return handled
                        }
                    }
                    do {
                        let (count, end) = try await batch(of: pending, until: turn.horizon)
                        handled += count
                        if end > pending.checkpoint { reached[pending.tenant] = end }
                        if end < turn.horizon { behind.append(ReactorShards.Pending(tenant: pending.tenant, checkpoint: end)) }
                    } catch {
                        // One tenant's failing event never keeps the shard's other tenants waiting; the shard's
                        // checkpoint stays at or before it.
                        failure = failure ?? error
                        oldest = min(oldest, pending.checkpoint)
                    }
                }
                tenants = behind
            } while !tenants.isEmpty && ContinuousClock.now < ends
            oldest = tenants.reduce(oldest) { min($0, $1.checkpoint) }
            // Tenants with a backlog left keep their partnering for their next turn; the others' is not needed.
            let behind = Set(tenants.map(\.tenant))
            working.forget(turn.tenants.map(\.tenant).filter { !behind.contains($0) })
            try await timed(.checkpoint) {
                try await shards.finish(shard, holder: holder, tenants: reached, shardCheckpoint: oldest > turn.base ? oldest : nil)
            }
            if let failure { throw failure }
            return handled
        } catch {
            working.forget(reached.keys)
            if (try? await shards.finish(shard, holder: holder, tenants: reached, shardCheckpoint: nil)) == nil {
                try? await shards.release(shard, holder: holder)
            }
            throw error
        }
    }

    /// One batch of a tenant: its next events after its checkpoint up to the turn's horizon, handled in order.
    /// - Returns: how many were handled and where the tenant now stands (the horizon when it has caught up), which the
    ///   turn saves at its end.
    private func batch(of pending: ReactorShards.Pending, until horizon: Checkpoint) async throws -> (Int, Checkpoint) {
        let batch = try await timed(.read) {
            try await store.pool.withTransaction(scope: .system) { connection in
                try await store.readForwardBatch(
                    after: pending.checkpoint, until: horizon, limit: batchSize, tenant: pending.tenant, types: Self.types, on: connection)
            }
        }
        // Matching looks customers up in the match index: it must have applied everything up to the batch's end.
        if let last = batch.events.last {
            try await timed(.waitIndex) { try await ProjectionProgress(store: store).waitUntil([MatchIndexProjector().name], reached: last.checkpoint) }
        }
        // A crash before the turn's end handles the batch again, which issues nothing new (decisions are keyed by their
        // causing event). A failing event keeps the checkpoint just before it.
        var handled: Checkpoint?
        do {
            try await handle(batch.events, handled: &handled)
        } catch {
            if let handled { try? await shards.save(handled, of: pending.tenant) }
            throw error
        }
        return (batch.events.count, max(batch.readUpTo, handled ?? pending.checkpoint))
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
