import Foundation
public import Logging
public import PGClient

/// Applies `db/migrations` in order: idempotent, forward-only, one transaction per file.
///
/// Applied files are recorded in `schema_migrations` with a SHA-256 checksum of their text; a file edited
/// after it was applied is refused with a clear error. A session advisory lock keeps two processes from
/// migrating at once.
public struct Migrator: Sendable {
    /// The migrations, in order.
    public let migrations: [Migration]
    let logger: Logger

    /// The key of the advisory lock held while migrating (`hashtext('accord.migrations')` is not stable across
    /// versions, so a constant is used).
    static let lockKey: Int64 = 0x4143_434F_5244_0001

    /// Makes a migrator for the given migrations.
    public init(migrations: [Migration], logger: Logger) {
        self.migrations = migrations
        self.logger = logger
    }

    /// A migration that was applied, as recorded.
    public struct Applied: Sendable, Hashable {
        /// The migration's number.
        public var version: Int
        /// Its name.
        public var name: String
        /// Whether it was applied by this run (false: it was already there).
        public var appliedNow: Bool
    }

    /// Applies every pending migration.
    /// - Returns: every known migration, marking those applied by this run.
    /// - Throws: ``MigrationError`` (checksum mismatch, unknown applied migration, a failing file).
    @discardableResult
    public func migrate(pool: PGConnectionPool) async throws -> [Applied] {
        try await pool.withConnection { connection in
            try await connection.execute("SELECT pg_advisory_lock(\(Self.lockKey))")
            do {
                let result = try await migrate(on: connection)
                try await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
                return result
            } catch {
                _ = try? await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
                throw error
            }
        }
    }

    private func migrate(on connection: PGConnection) async throws -> [Applied] {
        try await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let recorded = try await recordedMigrations(on: connection)
        try verify(recorded: recorded, checksums: try await checksums(on: connection))
        var result: [Applied] = []
        for migration in migrations {
            if recorded[migration.version] != nil {
                result.append(Applied(version: migration.version, name: migration.name, appliedNow: false))
                continue
            }
            logger.info("applying migration", metadata: ["migration": "\(migration.fileName)"])
            do {
                try await connection.withTransaction { connection in
                    try await connection.executeScript(unsafeSQL: migration.sql)
                    try await connection.execute(
                        """
                        INSERT INTO schema_migrations (version, name, checksum)
                        VALUES (\(migration.version), \(migration.name), encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex'))
                        """)
                }
            } catch let error as PGError {
                throw MigrationError(code: .failed, message: "migration \(migration.fileName) failed and was rolled back", underlying: error)
            }
            result.append(Applied(version: migration.version, name: migration.name, appliedNow: true))
        }
        return result
    }

    /// Checks that the database has exactly the known migrations applied, unchanged (for `serve` to refuse an
    /// out-of-date schema).
    /// - Throws: ``MigrationError`` with code `pending`, `checksumMismatch` or `unknownAppliedMigration`.
    public func verifyUpToDate(pool: PGConnectionPool) async throws {
        try await pool.withConnection { connection in
            let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").singleValue(Bool.self) ?? false
            guard exists else {
                throw MigrationError(code: .pending, message: "the database has no schema yet: run `accord migrate`")
            }
            let recorded = try await recordedMigrations(on: connection)
            try verify(recorded: recorded, checksums: try await checksums(on: connection))
            let pending = migrations.filter { recorded[$0.version] == nil }
            if !pending.isEmpty {
                throw MigrationError(
                    code: .pending, message: "\(pending.count) migration(s) not applied (first: \(pending[0].fileName)): run `accord migrate`")
            }
        }
    }

    private func recordedMigrations(on connection: PGConnection) async throws -> [Int: (name: String, checksum: String)] {
        let rows = try await connection.query("SELECT version, name, checksum FROM schema_migrations")
        var recorded: [Int: (name: String, checksum: String)] = [:]
        for (version, name, checksum) in try rows.decode((Int, String, String).self) {
            recorded[version] = (name, checksum)
        }
        return recorded
    }

    /// The SHA-256 of every known file's text, computed by the server (the same function that records them).
    private func checksums(on connection: PGConnection) async throws -> [Int: String] {
        guard !migrations.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT v, encode(sha256(convert_to(s, 'UTF8')), 'hex')
            FROM unnest(\(migrations.map(\.version))::int8[], \(migrations.map(\.sql))::text[]) AS m(v, s)
            """)
        var result: [Int: String] = [:]
        for (version, checksum) in try rows.decode((Int, String).self) { result[version] = checksum }
        return result
    }

    private func verify(recorded: [Int: (name: String, checksum: String)], checksums: [Int: String]) throws {
        for (version, entry) in recorded.sorted(by: { $0.key < $1.key }) {
            guard let migration = migrations.first(where: { $0.version == version }) else {
                throw MigrationError(
                    code: .unknownAppliedMigration,
                    message: "the database has migration \(version) (\(entry.name)) that this build does not know: it was migrated by a newer version of Accord")
            }
            if checksums[version] != entry.checksum {
                throw MigrationError(
                    code: .checksumMismatch,
                    message: "\(migration.fileName) was edited after it was applied (checksum \(entry.checksum.prefix(12))… recorded, \(checksums[version]?.prefix(12) ?? "?")… now); migrations are forward-only: restore the file and add a new migration instead")
            }
        }
    }
}
