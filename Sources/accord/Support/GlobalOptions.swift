public import ArgumentParser
import Foundation
public import Logging
import PGClient

/// Options every command that talks to PostgreSQL takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "libpq URL or conninfo (default: $DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// The configuration to connect with.
    func configuration() throws -> PGConfiguration {
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw ValidationError("no database given: pass --database-url or set DATABASE_URL (ops/postgres.sh url DIR prints one)")
        }
        return PGConfiguration(connectionString: url)
    }

    /// A logger writing to standard error at the chosen level.
    func makeLogger(_ label: String) -> Logger {
        Self.bootstrapOnce
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }

    private static let bootstrapOnce: Void = LoggingSystem.bootstrap(StreamLogHandler.standardError)
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Runs `body` with a pool and always shuts it down.
@discardableResult
func withPool<Result>(
    _ options: GlobalOptions, logger: Logger, maxConnections: Int = 4, _ body: (PGConnectionPool) async throws -> Result
) async throws -> Result {
    let pool = PGConnectionPool(configuration: try options.configuration(), maxConnections: maxConnections, logger: logger)
    do {
        let result = try await body(pool)
        await pool.shutdown()
        return result
    } catch {
        await pool.shutdown()
        throw error
    }
}
