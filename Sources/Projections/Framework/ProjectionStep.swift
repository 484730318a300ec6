public import EventStore
import PGClient

/// One batch of a projector, as one transaction: take the projector shard's lock (only one instance applies
/// a shard at a time), read the events after its checkpoint, apply them, save the new checkpoint. The rows
/// and the checkpoint commit together, so every event's effect is applied exactly once, even if the process
/// dies mid-batch.
public struct ProjectionStep: Sendable {
    /// What a step did.
    public enum Outcome: Sendable, Hashable {
        /// Another instance holds the shard's lock; nothing was done.
        case locked
        /// `count` events were applied; the checkpoint is now `checkpoint` (count 0: caught up).
        case applied(count: Int, checkpoint: Checkpoint)
    }

    let projector: any Projector
    let store: EventStore

    /// Makes a step for a projector.
    public init(projector: any Projector, store: EventStore) {
        self.projector = projector
        self.store = store
    }

    /// Runs one batch for a target.
    /// - Parameters:
    ///   - target: the tables to write (and the checkpoint shard).
    ///   - batchSize: the most events to read.
    ///   - tenant: only this tenant's events (per-tenant rebuilds).
    ///   - end: do not read past this checkpoint (per-tenant rebuilds catching up to the live projector).
    /// - Throws: ``ProjectionError`` with code `applyFailed` (the batch was rolled back), or database errors.
    public func run(target: ProjectionTarget, batchSize: Int, tenant: TenantID? = nil, until end: Checkpoint? = nil) async throws -> Outcome {
        try await store.pool.withTransaction(scope: .system) { connection in
            let locked = try await connection.query("SELECT pg_try_advisory_xact_lock(\(Self.lockKey(target)))").singleValue(Bool.self) ?? false
            guard locked else { return .locked }
            return try await apply(target: target, batchSize: batchSize, tenant: tenant, until: end, on: connection)
        }
    }

    /// The batch itself, inside a transaction that already holds the shard's lock.
    func apply(
        target: ProjectionTarget, batchSize: Int, tenant: TenantID?, until end: Checkpoint?, on connection: PGConnection
    ) async throws -> Outcome {
        let checkpoint = try await store.loadCheckpoint(
            projection: target.projection, version: target.version, shard: target.shard, on: connection)
        let batch = try await store.readForwardBatch(
            after: checkpoint, until: end, limit: batchSize, tenant: tenant, types: projector.eventTypes, on: connection)
        let events = batch.events
        guard let last = events.last else {
            // Nothing wanted: still move past the events this projector skips.
            if batch.readUpTo > checkpoint {
                try await store.saveCheckpoint(
                    batch.readUpTo, projection: target.projection, version: target.version, shard: target.shard, on: connection)
            }
            return .applied(count: 0, checkpoint: batch.readUpTo)
        }
        do {
            try await projector.apply(events, to: target, on: connection)
        } catch {
            throw ProjectionError(
                code: .applyFailed,
                message: "\(target) could not apply the events at positions \(events[0].globalPosition)…\(last.globalPosition)",
                underlying: error)
        }
        try await store.saveCheckpoint(
            batch.readUpTo, projection: target.projection, version: target.version, shard: target.shard, on: connection)
        return .applied(count: events.count, checkpoint: batch.readUpTo)
    }

    /// The transaction-lock key of a target's shard.
    static func lockKey(_ target: ProjectionTarget) -> PGQuery {
        "hashtextextended(\("accord.projector/\(target.projection)/\(target.version)/\(target.shard)"), 0)"
    }
}
