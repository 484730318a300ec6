public import EventStore
import Foundation
import Logging
public import PGClient

/// The `projections` table: which version of each projection is active, building or retired, and the DDL
/// that creates, swaps and drops their tables. All changes run in the system scope under a per-projection
/// transaction lock, so several processes can call these at once.
public struct ProjectionRegistry: Sendable {
    /// A projection version's state.
    public enum State: String, Sendable, Hashable {
        /// Being rebuilt from the first event; not yet read.
        case building
        /// The version readers see.
        case active
        /// Replaced by a newer version; its tables are dropped.
        case retired
    }

    /// One version's row with its checkpoint.
    public struct Entry: Sendable, Hashable {
        /// The projection's name.
        public var name: String
        /// The version.
        public var version: Int
        /// Its state.
        public var state: State
        /// Where its projector has read up to.
        public var checkpoint: Checkpoint
        /// Why it was created (e.g. "initial", "match fields changed for acme").
        public var reason: String
    }

    let pool: PGConnectionPool

    /// Makes a registry over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// The active version of a projection, creating version 1 (tables and views) the first time.
    /// - Throws: ``PGError`` from the database.
    public func activeVersion(of projector: any Projector) async throws -> Int {
        // Read before every batch of every projector: one round trip.
        if let version = try await pool.pipeline(
            scope: .system, ["SELECT version FROM projections WHERE name = \(projector.name) AND state = 'active'"])[0].singleValue(Int.self)
        {
            return version
        }
        return try await pool.withTransaction(scope: .system) { connection in
            try await lock(projector.name, on: connection)
            if let version = try await connection.query(
                "SELECT version FROM projections WHERE name = \(projector.name) AND state = 'active'").singleValue(Int.self)
            {
                return version
            }
            let version = try await nextVersion(projector.name, on: connection)
            let target = ProjectionTarget(projection: projector.name, version: version)
            try await create(projector, target, on: connection)
            try await pointViews(of: projector, at: target, on: connection)
            try await connection.execute(
                """
                INSERT INTO projections (name, version, state, reason, activated_at)
                VALUES (\(projector.name), \(version), 'active', 'initial', now())
                """)
            return version
        }
    }

    /// Starts (or resumes) building the next version: creates its tables and marks it `building`.
    /// - Returns: the version and whether an interrupted build was resumed.
    /// - Throws: ``PGError`` from the database.
    public func beginBuilding(_ projector: any Projector, reason: String) async throws -> (version: Int, resumed: Bool) {
        _ = try await activeVersion(of: projector)
        return try await pool.withTransaction(scope: .system) { connection in
            try await lock(projector.name, on: connection)
            if let version = try await connection.query(
                "SELECT version FROM projections WHERE name = \(projector.name) AND state = 'building'").singleValue(Int.self)
            {
                return (version, true)
            }
            let version = try await nextVersion(projector.name, on: connection)
            try await create(projector, ProjectionTarget(projection: projector.name, version: version), on: connection)
            try await connection.execute(
                "INSERT INTO projections (name, version, state, reason) VALUES (\(projector.name), \(version), 'building', \(reason))")
            return (version, false)
        }
    }

    /// Makes a built version the active one in one transaction (views, states), then drops the retired
    /// versions' tables.
    ///
    /// Readers never notice: the swap locks the projection's views up front in ``ReadModelLock``'s order, which
    /// readers of several views share, so the two cannot deadlock. As a safety net for a reader that does not follow
    /// the order, each lock wait is cut short (`lock_timeout`, far below PostgreSQL's deadlock timeout, so the swap
    /// and not the reader gives way) and the swap tries again a moment later; retired tables are dropped the same way.
    /// - Throws: ``PGError`` from the database, ``ProjectionError`` (`busy`) when readers kept the views for minutes.
    public func activate(_ projector: any Projector, version: Int) async throws {
        let views = projector.tables.map(\.name)
        let retired = try await yieldingToReaders(projector) { connection -> [Int] in
            try await lock(projector.name, on: connection)
            try await connection.execute("SELECT set_config('lock_timeout', \(Self.swapLockTimeout), true)")
            let existing = try await connection.query("SELECT count(to_regclass(v)) FROM unnest(\(views)::text[]) v").singleValue(Int.self)
            if existing == views.count {
                try await connection.execute(ReadModelLock.exclusive(views))
            }
            let previous = try await connection.query(
                "SELECT version FROM projections WHERE name = \(projector.name) AND state = 'active'").decode((Int).self)
            try await connection.execute(
                "UPDATE projections SET state = 'retired', retired_at = now() WHERE name = \(projector.name) AND state = 'active'")
            try await connection.execute(
                "UPDATE projections SET state = 'active', activated_at = now() WHERE name = \(projector.name) AND version = \(version)")
            try await pointViews(of: projector, at: ProjectionTarget(projection: projector.name, version: version), on: connection)
            return previous
        }
        try await drop(projector, versions: retired)
    }

    /// Refreshes the planner's statistics of a version's tables (`ANALYZE`). Tables made empty and filled faster than
    /// autovacuum looks at them keep empty-table statistics, with which the planner answered lookups by primary key
    /// through another index with the same leading columns (a scan of the tenant's rows per key); the runner calls
    /// this as a projector's tables grow (``TableStatistics``), a rebuild before it activates the version it built.
    /// Only the columns plans use are sampled (``ProjectionTable/analyzedColumns``).
    /// - Throws: ``PGError`` from the database.
    public func analyze(_ projector: any Projector, version: Int) async throws {
        let target = ProjectionTarget(projection: projector.name, version: version)
        let tables = projector.tables.map { "\(target.table($0.name)) (\($0.analyzedColumns.joined(separator: ", ")))" }.joined(separator: ", ")
        try await pool.withTransaction(scope: .system) { connection in
            try await connection.execute(PGQuery(unsafeSQL: "ANALYZE \(tables)"))
        }
    }

    /// How long a swap or a drop waits for one lock that readers hold before it lets go and tries again.
    static let swapLockTimeout = "100ms"

    /// Runs `body` in a system-scope transaction, again after a pause whenever it let go of a lock readers held
    /// (`lock_not_available`, or a deadlock in which it was the victim).
    private func yieldingToReaders<Result>(
        _ projector: any Projector, _ body: (PGConnection) async throws -> Result
    ) async throws -> Result {
        let clock = ContinuousClock()
        let giveUp = clock.now.advanced(by: .seconds(300))
        var pause = Duration.milliseconds(20)
        while true {
            do {
                return try await pool.withTransaction(scope: .system, body)
            } catch let error as PGError where error.sqlState == .lockNotAvailable || error.sqlState == .deadlockDetected {
                guard clock.now < giveUp else {
                    throw ProjectionError(
                        code: .busy, message: "readers kept \(projector.name)'s tables busy for 5 minutes; the swap was not made, run it again",
                        underlying: error)
                }
                try await Task.sleep(for: pause * Double.random(in: 0.5...1.5))
                pause = min(pause * 2, .milliseconds(500))
            }
        }
    }

    /// Every projection version that is active or building, with its checkpoint.
    /// - Throws: ``PGError`` from the database.
    public func entries() async throws -> [Entry] {
        try await pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                SELECT p.name, p.version, p.state, p.reason, coalesce(c.txid, '0'::xid8), coalesce(c.global_position, 0)
                FROM projections p
                LEFT JOIN projection_checkpoints c ON c.projection = p.name AND c.version = p.version AND c.shard = 'all'
                WHERE p.state <> 'retired' ORDER BY p.name, p.version
                """
            ).decode((String, Int, String, String, UInt64, Int64).self)
        }.map {
            Entry(
                name: $0.0, version: $0.1, state: State(rawValue: $0.2) ?? .retired,
                checkpoint: Checkpoint(transactionID: $0.4, globalPosition: $0.5), reason: $0.3)
        }
    }

    /// Creates a target's tables (used for staging copies too).
    ///
    /// All statements go in one round trip: the transaction holds a transaction id while it runs, and every reader
    /// of the log waits for the oldest running one (the watermark), so its DDL must not wait on the client between
    /// statements.
    func create(_ projector: any Projector, _ target: ProjectionTarget, on connection: PGConnection) async throws {
        try await connection.executeScript(unsafeSQL: Self.script(projector.tables.flatMap { $0.createStatements(for: target) }))
    }

    /// Statements as one script for the simple query protocol.
    static func script(_ statements: [String]) -> String { statements.joined(separator: ";\n") + ";" }

    /// Drops the tables of the given versions, one table per transaction with a short lock timeout (a reader that
    /// still holds a retired table makes the drop wait and try again, never the reader fail).
    func drop(_ projector: any Projector, versions: [Int]) async throws {
        for version in versions {
            let target = ProjectionTarget(projection: projector.name, version: version)
            for table in projector.tables {
                try await yieldingToReaders(projector) { connection in
                    try await connection.execute("SELECT set_config('lock_timeout', \(Self.swapLockTimeout), true)")
                    try await connection.execute(PGQuery(unsafeSQL: table.dropStatement(for: target)))
                }
            }
        }
    }

    /// Drops a staging copy's tables and its checkpoint.
    func drop(_ projector: any Projector, staging target: ProjectionTarget) async throws {
        try await pool.withTransaction(scope: .system) { connection in
            for table in projector.tables { try await connection.execute(PGQuery(unsafeSQL: table.dropStatement(for: target))) }
            try await connection.execute(
                "DELETE FROM projection_checkpoints WHERE projection = \(target.projection) AND version = \(target.version) AND shard = \(target.shard)")
        }
    }

    /// Drops a staging copy after a failure or an interrupt, logging (not throwing) what goes wrong. The drop runs in
    /// a task of its own: when the caller's task was cancelled (Ctrl-C), its statements would be cancelled too.
    func discard(_ projector: any Projector, staging target: ProjectionTarget, logger: Logger) async {
        await Task {
            do {
                try await drop(projector, staging: target)
            } catch {
                logger.warning("could not drop staging tables", metadata: ["target": "\(target)", "error": "\(error)"])
            }
        }.value
    }

    private func pointViews(of projector: any Projector, at target: ProjectionTarget, on connection: PGConnection) async throws {
        try await connection.executeScript(unsafeSQL: Self.script(projector.tables.flatMap { $0.viewStatements(for: target) }))
    }

    private func nextVersion(_ name: String, on connection: PGConnection) async throws -> Int {
        try await connection.query("SELECT coalesce(max(version), 0) + 1 FROM projections WHERE name = \(name)").singleValue(Int.self) ?? 1
    }

    /// Serialises registry changes for one projection across processes (until the transaction ends).
    private func lock(_ name: String, on connection: PGConnection) async throws {
        try await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended('accord.projections/' || \(name), 0))")
    }
}
