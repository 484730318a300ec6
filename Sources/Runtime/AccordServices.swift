public import EventStore
import Foundation
public import Logging
public import PGClient
public import Projections
public import ServiceLifecycle
public import SyncEngine
import UnixSignals

/// The long-running parts of one Accord process and the shared objects they use, built once and run in one
/// `ServiceGroup` (graceful shutdown on SIGTERM/SIGINT; services stop in reverse order, the pool last).
public struct AccordServices: Sendable {
    /// The configuration.
    public let configuration: AppConfiguration
    /// The database pool (a service: it closes connections on shutdown).
    public let pool: PGConnectionPool
    /// The event store.
    public let store: EventStore
    /// `LISTEN accord_events`, feeding every follower's wake-ups.
    public let listener: PGListener
    /// Tenants' partnering and settings state, shared by commands and the reactor.
    public let cache: TenantStateCache
    /// The command handler.
    public let commands: CommandHandler
    /// The projection runner.
    public let projections: ProjectionRunner
    /// Rebuilds asked for by rule changes.
    public let rebuilds: RebuildRequestService
    /// The sync policy.
    public let reactor: Reactor
    /// The logger.
    public let logger: Logger

    /// Builds the shared objects (nothing runs until ``serviceGroup(additional:)`` is run).
    public init(configuration: AppConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        pool = PGConnectionPool(configuration: configuration.database, maxConnections: configuration.databaseConnections, logger: logger)
        store = EventStore(pool: pool, logger: logger)
        listener = PGListener(configuration: configuration.database, channels: [EventStore.notificationChannel], logger: logger)
        cache = TenantStateCache(store: store)
        commands = CommandHandler(store: store, cache: cache, logger: logger)
        projections = ProjectionRunner(projectors: AccordProjections.all, store: store, listener: listener, logger: logger)
        rebuilds = RebuildRequestService(projectors: AccordProjections.all, store: store, logger: logger)
        reactor = Reactor(store: store, cache: cache, listener: listener, logger: logger)
    }

    /// Checks (or, with `migrate`, applies) the database migrations before anything starts.
    /// - Throws: ``EventStore/MigrationError`` saying what to run when the schema is out of date.
    public func prepareDatabase() async throws {
        let migrator = Migrator(migrations: try Migration.load(from: try MigrationsDirectory.locate()), logger: logger)
        if configuration.migrate {
            let applied = try await migrator.migrate(pool: pool).filter(\.appliedNow)
            if !applied.isEmpty { logger.info("applied migrations", metadata: ["count": "\(applied.count)"]) }
        } else {
            try await migrator.verifyUpToDate(pool: pool)
        }
    }

    /// The service group: the pool first (stopped last), then the listener and the followers, then `additional`
    /// services (workers, the HTTP server — stopped first).
    public func serviceGroup(additional: [any Service] = []) -> ServiceGroup {
        ServiceGroup(
            configuration: .init(
                services: ([pool, listener, projections, rebuilds, reactor] + additional).map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
    }
}
