public import EventStore
import Foundation
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
        if let version = try await pool.withTransaction(scope: .system, { connection in
            try await connection.query(
                "SELECT version FROM projections WHERE name = \(projector.name) AND state = 'active'").singleValue(Int.self)
        }) {
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
    /// - Throws: ``PGError`` from the database.
    public func activate(_ projector: any Projector, version: Int) async throws {
        let retired = try await pool.withTransaction(scope: .system) { connection -> [Int] in
            try await lock(projector.name, on: connection)
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
    func create(_ projector: any Projector, _ target: ProjectionTarget, on connection: PGConnection) async throws {
        for table in projector.tables {
            for statement in table.createStatements(for: target) {
                try await connection.execute(PGQuery(unsafeSQL: statement))
            }
        }
    }

    /// Drops the tables of the given versions.
    func drop(_ projector: any Projector, versions: [Int]) async throws {
        guard !versions.isEmpty else { return }
        try await pool.withTransaction(scope: .system) { connection in
            for version in versions {
                let target = ProjectionTarget(projection: projector.name, version: version)
                for table in projector.tables { try await connection.execute(PGQuery(unsafeSQL: table.dropStatement(for: target))) }
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

    private func pointViews(of projector: any Projector, at target: ProjectionTarget, on connection: PGConnection) async throws {
        for table in projector.tables {
            for statement in table.viewStatements(for: target) { try await connection.execute(PGQuery(unsafeSQL: statement)) }
        }
    }

    private func nextVersion(_ name: String, on connection: PGConnection) async throws -> Int {
        try await connection.query("SELECT coalesce(max(version), 0) + 1 FROM projections WHERE name = \(name)").singleValue(Int.self) ?? 1
    }

    /// Serialises registry changes for one projection across processes (until the transaction ends).
    private func lock(_ name: String, on connection: PGConnection) async throws {
        try await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended('accord.projections/' || \(name), 0))")
    }
}
