import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Testing

@Suite("migrations", .timeLimit(.minutes(5)))
struct MigrationTests {
    private func directory(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("accord-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, sql) in files { try sql.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return url
    }

    @Test("applies in order, once; a second run applies nothing")
    func idempotent() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool { pool in
                let dir = try directory([
                    "0001_first.sql": "CREATE TABLE a (id int);",
                    "0002_second.sql": "CREATE TABLE b (id int); INSERT INTO b VALUES (1);",
                    "README.md": "not a migration",
                ])
                let migrator = Migrator(migrations: try Migration.load(from: dir), logger: database.logger)
                let first = try await migrator.migrate(pool: pool)
                #expect(first.map(\.appliedNow) == [true, true])
                let second = try await migrator.migrate(pool: pool)
                #expect(second.map(\.appliedNow) == [false, false])
                try await migrator.verifyUpToDate(pool: pool)
                let rows = try await pool.withConnection { try await $0.query("SELECT count(*) FROM b").singleValue(Int.self) }
                #expect(rows == 1)
            }
        }
    }

    @Test("a migration edited after it was applied is refused with a clear error")
    func editedMigrationRefused() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool { pool in
                let dir = try directory(["0001_first.sql": "CREATE TABLE a (id int);"])
                try await Migrator(migrations: try Migration.load(from: dir), logger: database.logger).migrate(pool: pool)
                try "CREATE TABLE a (id bigint);".write(to: dir.appendingPathComponent("0001_first.sql"), atomically: true, encoding: .utf8)
                try "CREATE TABLE c (id int);".write(to: dir.appendingPathComponent("0002_next.sql"), atomically: true, encoding: .utf8)
                let edited = Migrator(migrations: try Migration.load(from: dir), logger: database.logger)
                let error = try await #require(throws: MigrationError.self) { try await edited.migrate(pool: pool) }
                #expect(error.code == .checksumMismatch)
                #expect(error.description.contains("0001_first.sql"))
                let verify = try await #require(throws: MigrationError.self) { try await edited.verifyUpToDate(pool: pool) }
                #expect(verify.code == .checksumMismatch)
                let cExists = try await pool.withConnection { try await $0.query("SELECT to_regclass('c') IS NOT NULL").singleValue(Bool.self) }
                #expect(cExists == false, "nothing after the refused file may run")
            }
        }
    }

    @Test("a failing migration is rolled back whole and stops the run")
    func failingMigration() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool { pool in
                let dir = try directory([
                    "0001_ok.sql": "CREATE TABLE a (id int);",
                    "0002_broken.sql": "CREATE TABLE b (id int); INSERT INTO b VALUES ('not a number');",
                    "0003_later.sql": "CREATE TABLE c (id int);",
                ])
                let migrator = Migrator(migrations: try Migration.load(from: dir), logger: database.logger)
                let error = try await #require(throws: MigrationError.self) { try await migrator.migrate(pool: pool) }
                #expect(error.code == .failed)
                #expect(error.description.contains("0002_broken.sql"))
                #expect(error.underlying?.sqlState == .invalidTextRepresentation)
                let tables = try await pool.withConnection { connection in
                    try await connection.query("SELECT to_regclass('a') IS NOT NULL, to_regclass('b') IS NOT NULL, to_regclass('c') IS NOT NULL")
                        .decode((Bool, Bool, Bool).self)[0]
                }
                #expect(tables == (true, false, false))
                let pending = try await #require(throws: MigrationError.self) { try await migrator.verifyUpToDate(pool: pool) }
                #expect(pending.code == .pending)
            }
        }
    }

    @Test("badly named files and duplicate numbers are refused")
    func badNames() throws {
        #expect(throws: MigrationError.self) { try Migration.load(from: try directory(["1_x.sql": ""])) }
        #expect(throws: MigrationError.self) { try Migration.load(from: try directory(["0001_Bad-Name.sql": ""])) }
        #expect(throws: MigrationError.self) { try Migration.load(from: try directory(["0001_a.sql": "", "0001_b.sql": ""])) }
    }

    @Test("a database migrated by a newer build is refused")
    func unknownApplied() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool { pool in
                let dir = try directory(["0001_a.sql": "SELECT 1;", "0002_b.sql": "SELECT 2;"])
                try await Migrator(migrations: try Migration.load(from: dir), logger: database.logger).migrate(pool: pool)
                try FileManager.default.removeItem(at: dir.appendingPathComponent("0002_b.sql"))
                let older = Migrator(migrations: try Migration.load(from: dir), logger: database.logger)
                let error = try await #require(throws: MigrationError.self) { try await older.migrate(pool: pool) }
                #expect(error.code == .unknownAppliedMigration)
            }
        }
    }
}
