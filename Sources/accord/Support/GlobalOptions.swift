public import ArgumentParser
import Foundation
public import Logging
import PGClient
import Runtime

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

    /// Text lines by default; one JSON object per line with `ACCORD_LOG_FORMAT=json` (for log shippers).
    private static let bootstrapOnce: Void = {
        switch ProcessInfo.processInfo.environment["ACCORD_LOG_FORMAT"] ?? "text" {
        case "json":
            LoggingSystem.bootstrap(JSONLogHandler.standardError)
        case "text":
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
        case let other:
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            FileHandle.standardError.write(Data("ACCORD_LOG_FORMAT '\(other)' is neither text nor json: logging as text\n".utf8))
        }
    }()
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
