public import EventStore
import Foundation
public import Logging
public import PGClient

/// A fresh database for one test, cloned from a template that has every migration applied.
///
/// `ops/test.sh` starts a throwaway cluster and exports `DATABASE_URL`. Without it, tests that need
/// PostgreSQL fail with a message saying so (they never silently skip).
public struct TestDatabase: Sendable {
    /// The configuration of this test's own database.
    public let configuration: PGConfiguration
    /// The database's name.
    public let name: String
    /// A logger for code under test (debug level goes to stderr when `ACCORD_TEST_LOG` is set); every line names the
    /// test's database (`test.db`), so that one test's lines can be picked out of a whole run's.
    public let logger: Logger

    /// Creates a database cloned from the migrated template, runs `body`, and drops it afterwards.
    /// - Throws: what `body` throws, or ``TestDatabaseError`` when PostgreSQL is not available.
    public static func with<Result>(
        migrated: Bool = true,
        _ body: (TestDatabase) async throws -> Result
    ) async throws -> Result {
        let database = try await create(migrated: migrated)
        do {
            let result = try await body(database)
            try await database.drop()
            return result
        } catch {
            try? await database.drop()
            throw error
        }
    }

    /// Who a pool connects as.
    public enum Role: Sendable {
        /// The cluster's administrator (`DATABASE_URL`'s user): what most tests use, to look at everything.
        case admin
        /// `accord`, the login role `accord serve` connects as: a member of the runtime roles only (db/roles.sql).
        case runtime
        /// `accord_owner`, which owns the schema and runs the migrations.
        case owner
    }

    /// The configuration of this database as `role`.
    public func configuration(as role: Role) -> PGConfiguration {
        switch role {
        case .admin: configuration
        case .runtime: configuration.with(user: Cluster.runtimeRole)
        case .owner: configuration.with(user: Cluster.ownerRole)
        }
    }

    /// Makes a pool on this database; the caller must `shutdown()` it (or use ``withPool(maxConnections:as:_:)``).
    public func makePool(maxConnections: Int = 4, as role: Role = .admin) -> PGConnectionPool {
        PGConnectionPool(configuration: configuration(as: role), maxConnections: maxConnections, logger: logger)
    }

    /// Runs `body` with a pool on this database (as `role`) and shuts the pool down afterwards.
    public func withPool<Result>(
        maxConnections: Int = 4, as role: Role = .admin, _ body: (PGConnectionPool) async throws -> Result
    ) async throws -> Result {
        let pool = makePool(maxConnections: maxConnections, as: role)
        do {
            let result = try await body(pool)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    /// Adds a tenant (as the system role would).
    public func addTenant(_ id: String, name: String? = nil, pool: PGConnectionPool) async throws -> TenantID {
        let tenant = try TenantID(id)
        try await pool.withTransaction(scope: .system) { connection in
            try await connection.execute("INSERT INTO tenants (id, name) VALUES (\(id), \(name ?? id))")
        }
        return tenant
    }

    static func create(migrated: Bool) async throws -> TestDatabase {
        let admin = try await Cluster.shared.adminPool()
        let name = "accord_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try await Cluster.shared.ensureRoles()
        let template = migrated ? try await Cluster.shared.migratedTemplate() : "template0"
        try await admin.withConnection { connection in
            try await connection.execute(
                "CREATE DATABASE \(identifier: String(name)) TEMPLATE \(identifier: template) OWNER \(identifier: Cluster.ownerRole)")
        }
        var logger = Cluster.logger
        logger[metadataKey: "test.db"] = "\(name)"
        return TestDatabase(configuration: try Cluster.shared.base.with(database: String(name)), name: String(name), logger: logger)
    }

    func drop() async throws {
        try await Cluster.shared.adminPool().withConnection { connection in
            try await connection.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
        }
    }
}

/// Why a test could not get a database.
public struct TestDatabaseError: Error, CustomStringConvertible {
    /// What to do.
    public var description: String

    /// Makes an error saying what to do.
    public init(description: String) { self.description = description }
}

/// The cluster from `DATABASE_URL`, an admin pool on it, and the migrated template (made once per process): the roles
/// of db/roles.sql are created first, and the template is owned and migrated by the owner role, as in a deployment.
actor Cluster {
    static let shared = Cluster()
    /// The login role of `accord serve`.
    static let runtimeRole = "accord"
    /// The role that owns the schema and migrates it.
    static let ownerRole = "accord_owner"

    static let logger: Logger = {
        var logger = Logger(label: "accord.tests")
        logger.logLevel = ProcessInfo.processInfo.environment["ACCORD_TEST_LOG"] == nil ? .critical : .debug
        return logger
    }()

    private var pool: PGConnectionPool?
    private var template: Task<String, any Error>?
    private var roles: Task<Void, any Error>?

    /// Creates (once per process; db/roles.sql is idempotent) the roles every test database is owned and used by.
    func ensureRoles() async throws {
        if let roles { return try await roles.value }
        let admin = try adminPool()
        let task = Task {
            let script = try String(contentsOf: Self.rolesFile, encoding: .utf8)
            try await admin.withConnection { connection in try await connection.executeScript(unsafeSQL: script) }
        }
        roles = task
        try await task.value
    }

    nonisolated var base: PGConfiguration {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
                throw TestDatabaseError(
                    description: "DATABASE_URL is not set: run the tests with ops/test.sh, which starts a throwaway PostgreSQL")
            }
            return PGConfiguration(connectionString: url, applicationName: "accord-tests")
        }
    }

    func adminPool() throws -> PGConnectionPool {
        if let pool { return pool }
        let made = PGConnectionPool(configuration: try base, maxConnections: 4, logger: Self.logger)
        pool = made
        return made
    }

    /// Creates (once) a database with every migration applied, to clone per test.
    func migratedTemplate() async throws -> String {
        if let template { return try await template.value }
        let admin = try adminPool()
        let configuration = try base
        let task = Task {
            let name = "accord_template_\(ProcessInfo.processInfo.processIdentifier)"
            try await admin.withConnection { connection in
                try await connection.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
                try await connection.execute("CREATE DATABASE \(identifier: name) TEMPLATE template0 OWNER \(identifier: Self.ownerRole)")
            }
            let pool = PGConnectionPool(
                configuration: configuration.with(database: name).with(user: Self.ownerRole), maxConnections: 1, logger: Self.logger)
            do {
                let migrations = try Migration.load(from: Self.migrationsDirectory)
                try await Migrator(migrations: migrations, logger: Self.logger).migrate(pool: pool)
                await pool.shutdown()
            } catch {
                await pool.shutdown()
                throw error
            }
            return name
        }
        template = task
        return try await task.value
    }

    /// `db/migrations` of this checkout, found from this source file's path.
    static var migrationsDirectory: URL { checkout.appendingPathComponent("db/migrations", isDirectory: true) }

    /// `db/roles.sql` of this checkout.
    static var rolesFile: URL { checkout.appendingPathComponent("db/roles.sql") }

    /// This checkout, found from this source file's path.
    static var checkout: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // PostgresTestSupport
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // checkout
    }
}
