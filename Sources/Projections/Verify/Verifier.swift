public import EventStore
import Foundation
public import Logging
import PGClient

/// Checks a tenant's live read-model rows against what its events make of them: `accord verify`.
///
/// The tenant's rows are rebuilt into a staging copy of the active version's tables — the per-tenant rebuild's own
/// staging (``ProjectionTarget`` with a tag, its own checkpoint shard), so the projector code, DDL and row-level
/// security are exactly those of the live tables, and no view points at it: readers never see it. The staging fold
/// stops at the live projector's checkpoint, and the comparison runs in one repeatable-read snapshot that reads that
/// checkpoint, folds the staging copy up to it and reads both sets of rows: a live projector that is merely behind
/// the log is reported as behind, never as rows that differ. The live tables are only read, and the staging copy is
/// dropped afterwards, also when the verification fails or is interrupted.
public struct Verifier: Sendable {
    let store: EventStore
    let logger: Logger

    /// Makes a verifier.
    public init(store: EventStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Rebuilds one tenant's rows of a projection into staging tables and compares them with the live rows.
    /// - Parameters:
    ///   - projector: the projection to verify.
    ///   - tenant: the tenant whose rows are compared (the comparison reads in the tenant's scope).
    ///   - shown: the most differing rows to describe per table (all are counted).
    ///   - batchSize: events per transaction of the staging fold.
    ///   - progress: called a few times a second while the staging copy is built, and once at the end.
    /// - Throws: ``ProjectionError`` (`notStarted` when the projection has no active version, `busy` when it was
    ///   rebuilt while being verified), database errors. The staging tables are dropped either way.
    public func verify(
        _ projector: any Projector, tenant: TenantID, shown: Int = 20, batchSize: Int = 5000,
        progress: @Sendable (Rebuilder.Progress) -> Void = { _ in }
    ) async throws -> VerifyReport {
        let registry = ProjectionRegistry(pool: store.pool)
        guard let live = try await registry.entries().first(where: { $0.name == projector.name && $0.state == .active }) else {
            throw ProjectionError(
                code: .notStarted, message: "\(projector.name) has no active version yet: start `accord serve` once, then verify")
        }
        let staging = ProjectionTarget(
            projection: projector.name, version: live.version, stagingTag: "vf" + String(UUID().uuidString.lowercased().prefix(8)))
        try await store.pool.withTransaction(scope: .system) { connection in
            try await registry.create(projector, staging, on: connection)
        }
        do {
            let total = try await store.pool.withTransaction(scope: .system) { connection in
                try await store.countEvents(until: live.checkpoint, tenant: tenant, types: projector.eventTypes, on: connection)
            }
            let built = try await Rebuilder(store: store, logger: logger).catchUp(
                staging, projector: projector, batchSize: batchSize, tenant: tenant, until: live.checkpoint, total: total,
                progress: progress)
            var report = try await compare(
                projector, live: live.version, staging: staging, tenant: tenant, shown: shown, batchSize: batchSize)
            report.events += built.count
            progress(Rebuilder.Progress(done: report.events, total: report.events, elapsed: ContinuousClock.now - built.started))
            try await registry.drop(projector, staging: staging)
            return report
        } catch {
            await registry.discard(projector, staging: staging, logger: logger)
            throw error
        }
    }

    /// In one snapshot: the live checkpoint, the staging copy folded up to exactly it, how far the live projector is
    /// behind the log for this tenant, and the row-by-row comparison (in the tenant's scope).
    private func compare(
        _ projector: any Projector, live version: Int, staging: ProjectionTarget, tenant: TenantID, shown: Int, batchSize: Int
    ) async throws -> VerifyReport {
        let live = ProjectionTarget(projection: projector.name, version: version)
        let step = ProjectionStep(projector: projector, store: store)
        return try await store.pool.withTransaction(scope: .system, isolation: .repeatableRead) { connection in
            let active = try await connection.query(
                "SELECT version FROM projections WHERE name = \(projector.name) AND state = 'active'"
            ).singleValue(Int.self)
            guard active == version else {
                throw ProjectionError(
                    code: .busy, message: "\(projector.name) was rebuilt into another version while it was verified; run verify again")
            }
            let checkpoint = try await store.loadCheckpoint(projection: live.projection, version: live.version, on: connection)
            var applied = 0
            while case .applied(let count, _) = try await step.apply(
                target: staging, batchSize: batchSize, tenant: tenant, until: checkpoint, on: connection), count > 0
            {
                applied += count
            }
            let folded = try await store.loadCheckpoint(
                projection: staging.projection, version: staging.version, shard: staging.shard, on: connection)
            guard folded <= checkpoint else {
                throw ProjectionError(
                    code: .busy, message: "\(projector.name)'s checkpoint moved back while it was verified; run verify again")
            }
            let behind = try await store.countEvents(after: checkpoint, tenant: tenant, types: projector.eventTypes, on: connection)
            try await connection.enter(.tenant(tenant))
            var tables: [VerifyReport.Table] = []
            for table in projector.tables {
                tables.append(
                    try await StagingComparison(table: table, live: live, staging: staging, tenant: tenant).run(shown: shown, on: connection))
            }
            return VerifyReport(
                projection: projector.name, version: version, tenant: tenant, position: checkpoint, events: applied, behind: behind,
                tables: tables)
        }
    }
}
