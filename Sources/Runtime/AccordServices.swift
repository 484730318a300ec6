import AsyncHTTPClient
import Connectors
public import Credentials
public import EventStore
public import Foundation
import Hummingbird
public import Ingest
public import Logging
public import Outbound
public import PGClient
public import Projections
public import Server
public import ServiceLifecycle
public import SyncEngine
import UnixSignals

/// The long-running parts of one Accord process and the shared objects they use, built once and run in one
/// `ServiceGroup` (graceful shutdown on SIGTERM/SIGINT; services stop in reverse order, the pool last).
public struct AccordServices: Sendable {
    /// Every projection one process keeps up to date (the domain's read models and the outbound queue).
    public static let projectors: [any Projector] = AccordProjections.all + [OutboundRequestsProjector()]

    /// The configuration.
    public let configuration: AppConfiguration
    /// The workers' database pool (a service: it closes connections on shutdown).
    public let pool: PGConnectionPool
    /// The HTTP server's own pool, so that requests from the internet never take the workers' connections.
    public let httpPool: PGConnectionPool
    /// The event store.
    public let store: EventStore
    /// `LISTEN accord_events`, feeding every follower's wake-ups.
    public let listener: PGListener
    /// Tenants' partnering and settings state, shared by commands and the reactor.
    public let cache: TenantStateCache
    /// The command handler.
    public let commands: CommandHandler
    /// The tenants' encrypted connections to e-conomic and Stripe.
    public let credentials: CredentialStore
    /// The projection runner.
    public let projections: ProjectionRunner
    /// Rebuilds asked for by rule changes.
    public let rebuilds: RebuildRequestService
    /// The sync policy.
    public let reactor: Reactor
    /// Decides what the reactor held while a tenant's match index was rebuilt.
    public let heldDecisions: HeldDecisionService
    /// Carries saved changes of mappings to the pairs already linked, a chunk at a time.
    public let settingsApplications: SettingsApplicationService
    /// Sends the requested writes to e-conomic and Stripe.
    public let worker: OutboundWorker
    /// Observes e-conomic customers.
    public let poller: EconomicPoller
    /// Works through the webhook inbox: re-fetches each event's Stripe customer and records it.
    public let inbox: InboxProcessor
    /// Reads each tenant's Stripe events list into the inbox, so that no lost webhook goes unnoticed.
    public let stripeCatchUp: StripeCatchUp
    /// Every tenant's webhook secrets in memory, so that deliveries are verified before any database work.
    let webhookSecrets: WebhookSecretDirectory
    /// Removes settled webhook deliveries once they are older than the retention period.
    let inboxRetention: InboxRetention
    /// The HTTP server: API, web pages, the Stripe webhook endpoint (which records into the inbox).
    public let server: AccordServer
    /// The logger.
    public let logger: Logger

    /// Builds the shared objects (nothing runs until ``serviceGroup(onServerRunning:additional:handleSignals:)`` is run).
    /// - Parameters:
    ///   - configuration: the process's configuration.
    ///   - environment: where `ACCORD_MASTER_KEY` is read from.
    ///   - worker: the outbound worker's limits and retry policy (the rate limit toward e-conomic defaults to
    ///     ``AppConfiguration/economicRequestsPerSecond``).
    ///   - inbox: the webhook inbox processor's settings; its claims are named by the outbound worker's id unless
    ///     they name a holder.
    ///   - catchUp: how the catch-up from Stripe works (its interval defaults to
    ///     ``AppConfiguration/stripeCatchUpInterval``).
    ///   - logger: the logger.
    /// - Throws: ``Credentials/CredentialError`` when `ACCORD_MASTER_KEY` is missing or invalid.
    public init(
        configuration: AppConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment,
        worker workerConfiguration: OutboundWorkerConfiguration? = nil, inbox inboxConfiguration: InboxProcessor.Configuration? = nil,
        catchUp: StripeCatchUp.Configuration? = nil, logger: Logger
    ) throws {
        self.configuration = configuration
        self.logger = logger
        let pool = PGConnectionPool(configuration: configuration.database, maxConnections: configuration.databaseConnections, logger: logger)
        let store = EventStore(pool: pool, logger: logger)
        let listener = PGListener(configuration: configuration.database, channels: [EventStore.notificationChannel], logger: logger)
        let cache = TenantStateCache(store: store)
        let commands = CommandHandler(store: store, cache: cache, logger: logger)
        let credentials = CredentialStore(pool: pool, cipher: try CredentialCipher.fromEnvironment(environment), logger: logger)
        self.pool = pool
        self.store = store
        self.listener = listener
        self.cache = cache
        self.commands = commands
        self.credentials = credentials
        projections = ProjectionRunner(projectors: Self.projectors, store: store, listener: listener, logger: logger)
        var workerConfiguration =
            workerConfiguration
            ?? OutboundWorkerConfiguration(
                maxInFlightPerTenant: configuration.outboundTenantInFlight,
                economicRateLimit: RateLimit(
                    requestsPerSecond: configuration.economicRequestsPerSecond, burst: max(10, Int(configuration.economicRequestsPerSecond))))
        workerConfiguration.runsQueueProjector = false  // the projection runner keeps the queue up to date
        poller = EconomicPoller(handler: commands, store: store, interval: configuration.economicPollInterval, logger: logger) {
            var result: [EconomicPoller.Connection] = []
            for summary in try await credentials.list() where summary.economicBaseURL != nil {
                guard let economic = try await credentials.load(summary.tenant)?.economic else { continue }
                result.append((summary.tenant, economic.clientConfiguration))
            }
            return result
        }
        inboxRetention = InboxRetention(pool: pool, configuration: .init(days: configuration.webhookRetentionDays), logger: logger)
        let webhookSecrets = WebhookSecretDirectory(credentials: credentials, logger: logger)
        self.webhookSecrets = webhookSecrets
        // The server decides and reads through its own pool (and a store and state cache over it: a command's cache is
        // checked against the streams' versions on append, so two caches never disagree on what is written).
        let httpPool = PGConnectionPool(configuration: configuration.database, maxConnections: configuration.httpDatabaseConnections, logger: logger)
        let httpStore = EventStore(pool: httpPool, logger: logger)
        let httpCache = TenantStateCache(store: httpStore)
        self.httpPool = httpPool
        let server = AccordServer(
            configuration: ServerConfiguration(
                host: configuration.host, port: configuration.port, baseURL: configuration.publicURL, secureCookies: configuration.secureCookies,
                limits: configuration.edgeLimits, confirmChangesAbove: configuration.confirmChangesAbove),
            dependencies: ServerDependencies(
                store: httpStore, commands: CommandHandler(store: httpStore, cache: httpCache, logger: logger), tenantCache: httpCache,
                webhookSecrets: webhookSecrets, credentials: CredentialStore(pool: httpPool, cipher: credentials.cipher, logger: logger),
                logger: logger))
        self.server = server
        reactor = Reactor(
            store: store, cache: cache, listener: listener, sharding: configuration.reactorSharding,
            metrics: ReactorMetrics(factory: server.metrics.metricsFactory), logger: logger)
        heldDecisions = HeldDecisionService(reactor: reactor, store: store, cache: cache, logger: logger)
        settingsApplications = SettingsApplicationService(reactor: reactor, store: store, cache: cache, logger: logger)
        rebuilds = RebuildRequestService(
            projectors: Self.projectors, store: store, metrics: RebuildMetrics(factory: server.metrics.metricsFactory), logger: logger)
        worker = OutboundWorker(
            store: store, credentials: credentials, listener: listener, configuration: workerConfiguration,
            metrics: OutboundMetrics(factory: server.metrics.metricsFactory), logger: logger)
        var inboxSettings = inboxConfiguration ?? InboxProcessor.Configuration()
        inboxSettings.holder = inboxSettings.holder ?? workerConfiguration.workerID
        inbox = InboxProcessor(
            pool: pool, commands: commands,
            stripeCustomers: StripeClientCustomerSource { tenant in try await credentials.load(tenant)?.stripe?.clientConfiguration },
            configuration: inboxSettings, metrics: server.metrics.inbox,
            doorbell: server.doorbell, logger: logger)
        stripeCatchUp = StripeCatchUp(
            pool: pool, configuration: catchUp ?? StripeCatchUp.Configuration(interval: configuration.stripeCatchUpInterval),
            doorbell: server.doorbell, logger: logger
        ) {
            var result: [StripeCatchUp.Connection] = []
            for summary in try await credentials.list() where summary.stripeAPIBase != nil {
                guard let stripe = try await credentials.load(summary.tenant)?.stripe else { continue }
                result.append(StripeCatchUp.Connection(tenant: summary.tenant, stripe: stripe.clientConfiguration, connectedAt: summary.updatedAt))
            }
            return result
        }
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

    /// The service group: the pool first (stopped last), then the listener, the followers and workers, then
    /// `additional` services, and the HTTP server last (stopped first).
    /// - Parameters:
    ///   - onServerRunning: called with the bound port once the HTTP server listens.
    ///   - additional: more services (the demo's sandbox and script).
    ///   - handleSignals: shut down gracefully on SIGTERM/SIGINT (off in tests, which run several groups).
    public func serviceGroup(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }, additional: [any Service] = [], handleSignals: Bool = true
    ) -> ServiceGroup {
        let app = server.buildApplication(onServerRunning: onServerRunning)
        let services: [any Service] =
            [
                pool, httpPool, listener, webhookSecrets, projections, rebuilds, reactor, heldDecisions, settingsApplications, worker, poller,
                inbox, stripeCatchUp, inboxRetention, server.dependencies.imports,
            ]
            + additional + [app]
        return ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [], logger: logger))
    }
}
