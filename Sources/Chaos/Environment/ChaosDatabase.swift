import EventStore
import Foundation
import Logging
import PGClient

/// The PostgreSQL cluster of a chaos run: an administrative connection (`DATABASE_URL`), a template with every
/// migration applied (made once), and a fresh database cloned from it for each seed.
final class ChaosCluster: Sendable {
    private let admin: PGConnectionPool
    private let base: PGConfiguration
    private let template: String
    private let logger: Logger

    private init(admin: PGConnectionPool, base: PGConfiguration, template: String, logger: Logger) {
        self.admin = admin
        self.base = base
        self.template = template
        self.logger = logger
    }

    /// Connects to the cluster and makes the migrated template.
    /// - Parameter url: a libpq URL of any database of the cluster, as a role that may create databases and end sessions.
    static func open(url: String, logger: Logger) async throws -> ChaosCluster {
        let base = PGConfiguration(connectionString: url, applicationName: "accord-chaos")
        let admin = PGConnectionPool(configuration: base, maxConnections: 4, logger: logger)
        let template = "accord_chaos_template_\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try await admin.withConnection { connection in
                try await connection.execute("DROP DATABASE IF EXISTS \(identifier: template) WITH (FORCE)")
                try await connection.execute("CREATE DATABASE \(identifier: template) TEMPLATE template0")
            }
            let pool = PGConnectionPool(configuration: base.with(database: template), maxConnections: 1, logger: logger)
            do {
                try await Migrator(migrations: try Migration.load(from: try MigrationsDirectory.locate()), logger: logger).migrate(pool: pool)
                await pool.shutdown()
            } catch {
                await pool.shutdown()
                throw error
            }
        } catch {
            await admin.shutdown()
            throw error
        }
        return ChaosCluster(admin: admin, base: base, template: template, logger: logger)
    }

    /// A fresh, migrated database.
    func makeDatabase(seed: UInt64) async throws -> ChaosDatabase {
        let name = "accord_chaos_\(seed)_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(8)
        try await admin.withConnection { connection in
            try await connection.execute("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: template)")
        }
        return ChaosDatabase(name: name, configuration: base.with(database: name), admin: admin)
    }

    /// Drops the template and closes the administrative connection.
    func close() async {
        _ = try? await admin.withConnection { connection in
            try await connection.execute("DROP DATABASE IF EXISTS \(identifier: template) WITH (FORCE)")
        }
        await admin.shutdown()
    }
}

/// One seed's database.
struct ChaosDatabase: Sendable {
    /// Its name.
    let name: String
    /// How to reach it.
    let configuration: PGConfiguration
    fileprivate let admin: PGConnectionPool

    /// Kills a process that uses the database, as `kill -9` would leave it.
    var death: ProcessDeath { ProcessDeath(admin: admin, database: name) }

    /// Writes the database's event log, in order, as tab-separated text (position, time, tenant, stream, version, type,
    /// data, metadata) to `file`.
    func exportEvents(to file: URL) async throws {
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        let pool = PGConnectionPool(configuration: configuration, maxConnections: 1, logger: Logger(label: "accord.chaos.evidence"))
        do {
            try await pool.withConnection { connection in
                _ = try await connection.copyOut(
                    """
                    COPY (SELECT global_position, recorded_at, tenant_id, stream_id, stream_version, type, data, metadata
                          FROM events ORDER BY global_position) TO STDOUT
                    """
                ) { row in handle.write(Data(row)) }
            }
        } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
    }

    /// Drops the database (ending whatever sessions are left).
    func drop() async throws {
        try await admin.withConnection { connection in
            try await connection.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
        }
    }
}
