import ArgumentParser
import EventStore
import Foundation

/// `accord migrate`: applies `db/migrations`.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (idempotent, forward-only, one transaction per file).",
        discussion: "Migrations are read from db/migrations of this checkout, or from $ACCORD_MIGRATIONS_DIR."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Directory of NNNN_name.sql files (default: db/migrations, found from here or from the executable).")
    var migrations: String?

    @Flag(help: "Only check that the database is up to date; exit non-zero if not.")
    var check = false

    func run() async throws {
        let logger = global.makeLogger("accord.migrate")
        let directory = try migrations.map { URL(fileURLWithPath: $0) } ?? MigrationsDirectory.locate()
        let migrator = Migrator(migrations: try Migration.load(from: directory), logger: logger)
        try await withPool(global, logger: logger, maxConnections: 1) { pool in
            if check {
                try await migrator.verifyUpToDate(pool: pool)
                print("database is up to date (\(migrator.migrations.count) migrations)")
                return
            }
            let applied = try await migrator.migrate(pool: pool)
            let new = applied.filter(\.appliedNow)
            for migration in new { print("applied \(String(format: "%04d", migration.version))_\(migration.name).sql") }
            print(new.isEmpty ? "database is up to date (\(applied.count) migrations)" : "applied \(new.count) migration(s); \(applied.count) in total")
        }
    }
}
