import EventSourcing
public import EventStore
import Foundation
import PGClient

extension Rebuilder {
    /// Builds a target from the first event one tenant at a time, when its projector can (``TenantFoldingProjector``):
    /// each tenant's events up to the end of the log as it is now are folded in memory and written once, then the
    /// target's checkpoint is set to that end (the batches catch up from there). Reads on one connection, which holds
    /// the target's lock for the whole fold so that no other builder writes the target meanwhile; each tenant's rows
    /// are written on a second connection while the next tenant is folded (the pool needs two). A fold interrupted
    /// before its checkpoint was saved is started again from empty tables (the tenants' rows are removed first).
    /// - Parameters:
    ///   - tenant: the one tenant to fold (a tenant's staging copy); nil for every tenant (a whole projection).
    /// - Returns: the events folded: 0 when the projector cannot fold, or the target is not at the first event (a
    ///   resumed build, or another builder folded it already: the batches go on from its checkpoint).
    /// - Throws: ``ProjectionError`` (`busy` when another builder holds the target), database errors.
    func fold(
        _ projector: any Projector, into target: ProjectionTarget, tenant: TenantID?, batchSize: Int, total: Int,
        started: ContinuousClock.Instant, progress: @Sendable (Progress) -> Void
    ) async throws -> Int {
        guard let projector = projector as? any TenantFoldingProjector else { return 0 }
        return try await foldTenants(
            projector, into: target, tenant: tenant, batchSize: batchSize, total: total, started: started, progress: progress)
    }

    private func foldTenants<P: TenantFoldingProjector>(
        _ projector: P, into target: ProjectionTarget, tenant: TenantID?, batchSize: Int, total: Int, started: ContinuousClock.Instant,
        progress: @Sendable (Progress) -> Void
    ) async throws -> Int {
        try await store.pool.withConnection { connection in
            let lock = ProjectionStep.lockKey(target)
            guard try await connection.query("SELECT pg_try_advisory_lock(\(lock))").singleValue(Bool.self) ?? false else {
                throw ProjectionError(code: .busy, message: "\(target) is being built by another process; wait for it to finish")
            }
            do {
                let folded = try await foldTenants(
                    projector, into: target, tenant: tenant, batchSize: batchSize, total: total, started: started, progress: progress,
                    on: connection)
                _ = try await connection.query("SELECT pg_advisory_unlock(\(lock))")
                return folded
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(lock))")
                throw error
            }
        }
    }

    private func foldTenants<P: TenantFoldingProjector>(
        _ projector: P, into target: ProjectionTarget, tenant: TenantID?, batchSize: Int, total: Int, started: ContinuousClock.Instant,
        progress: @Sendable (Progress) -> Void, on connection: PGConnection
    ) async throws -> Int {
        let store = self.store
        let (checkpoint, end) = try await connection.withTransaction(scope: .system) { connection in
            return (
                try await store.loadCheckpoint(projection: target.projection, version: target.version, shard: target.shard, on: connection),
                try await store.readableEnd(on: connection)
            )
        }
        guard checkpoint == .origin else { return 0 }
        let tenants: [TenantID]
        if let tenant { tenants = [tenant] } else { tenants = try await TenantDirectory(pool: store.pool).list().map(\.id) }
        var count = 0
        var lastReport = ContinuousClock.now
        // A tenant's rows are written on a connection of their own while the next tenant is read and folded (writing
        // was two fifths of a fold's time, with a core idle); one write at a time.
        var writing: Task<Void, any Error>?
        do {
            for tenant in tenants {
                try Task.checkCancellation()
                var fold = try await connection.withTransaction(scope: .system) { connection in
                    return try await projector.startFold(of: tenant, on: connection)
                }
                // The next batch is read and decoded while this one is folded.
                var next = try await read(projector, tenant: tenant, after: .origin, until: end, limit: batchSize, on: connection)
                while let batch = next {
                    let last = batch.recorded.count == batchSize ? batch.recorded.last?.checkpoint : nil
                    async let following = read(projector, tenant: tenant, after: last, until: end, limit: batchSize, on: connection)
                    projector.fold(batch.decoded, into: &fold)
                    count += batch.recorded.count
                    let now = ContinuousClock.now
                    if now - lastReport > .milliseconds(200) {
                        progress(Progress(done: count, total: max(total, count), elapsed: now - started))
                        lastReport = now
                    }
                    next = try await following
                }
                try await writing?.value
                writing = write(fold, of: tenant, by: projector, into: target)
            }
            try await writing?.value
        } catch {
            writing?.cancel()
            _ = await writing?.result
            throw error
        }
        try await connection.withTransaction(scope: .system) { connection in
            try await store.saveCheckpoint(end, projection: target.projection, version: target.version, shard: target.shard, on: connection)
        }
        return count
    }

    /// Replaces a tenant's rows in the target with its fold, in a system-scoped transaction on a connection of the pool.
    private func write<P: TenantFoldingProjector>(
        _ fold: P.TenantFold, of tenant: TenantID, by projector: P, into target: ProjectionTarget
    ) -> Task<Void, any Error> {
        let pool = store.pool
        return Task {
            try await pool.withTransaction(scope: .system) { connection in
                for table in projector.tables {
                    try await connection.execute("DELETE FROM \(unsafeRaw: target.table(table.name)) WHERE tenant_id = \(tenant.rawValue)")
                }
                try await projector.write(fold, to: target, on: connection)
            }
        }
    }

    /// A tenant's next batch of the projector's events after `checkpoint` up to `end`, read in a system-scoped
    /// transaction and decoded; nil after the last batch (no checkpoint).
    private func read<P: TenantFoldingProjector>(
        _ projector: P, tenant: TenantID, after checkpoint: Checkpoint?, until end: Checkpoint, limit: Int, on connection: PGConnection
    ) async throws -> (recorded: [RecordedEvent], decoded: [DomainEvent])? {
        guard let checkpoint else { return nil }
        let store = self.store
        let recorded = try await connection.withTransaction(scope: .system) { connection in
            return try await store.readForwardBatch(
                after: checkpoint, until: end, limit: limit, tenant: tenant, types: projector.eventTypes, on: connection
            ).events
        }
        return (recorded, try await DomainEvent.decodeConcurrently(recorded))
    }
}
