public import Credentials
public import EventStore
public import Logging
public import PGClient
public import Prometheus
public import SyncEngine

/// What the server needs from the rest of Accord. `accord serve` builds one from its pool and services; tests
/// build one over a test database with in-memory secrets.
///
/// The controllers see it only through ``controllers``: small protocols wired here to PostgreSQL. The webhook
/// endpoint uses the store and the secrets provider directly.
public struct ServerDependencies: Sendable {
    /// The event store (and, through it, the connection pool).
    public var store: EventStore
    /// Carries out commands.
    public var commands: CommandHandler
    /// Each tenant's partnering and settings state (shared with the command handler and the reactor).
    public var tenantCache: TenantStateCache
    /// The tenants' Stripe webhook endpoint secrets.
    public var webhookSecrets: any WebhookSecretsProvider
    /// Where metrics are registered and read from by `/metrics`.
    public var metricsRegistry: PrometheusCollectorRegistry
    /// The server's logger.
    public var logger: Logger
    /// Imports uploaded customer files in the background: a `Service` to run beside the server.
    public var imports: ImportJobs
    /// The tenants' connections (nil without a master key: the connection pages answer 503).
    public var connections: CredentialConnections?
    /// The API key ids there are, in memory (made-up keys cost no query).
    public var apiKeys: APIKeyDirectory

    /// Makes the dependencies.
    /// - Parameters:
    ///   - store: the event store.
    ///   - commands: the command handler (built on the same store and `tenantCache`).
    ///   - tenantCache: the tenant state cache.
    ///   - webhookSecrets: the tenants' webhook secrets.
    ///   - metricsRegistry: the Prometheus registry (a new one by default).
    ///   - credentials: where tenants' connections are stored (sealed); nil without a master key.
    ///   - logger: the logger.
    public init(
        store: EventStore,
        commands: CommandHandler,
        tenantCache: TenantStateCache,
        webhookSecrets: any WebhookSecretsProvider,
        metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        credentials: CredentialStore? = nil,
        logger: Logger
    ) {
        self.store = store
        self.commands = commands
        self.tenantCache = tenantCache
        self.webhookSecrets = webhookSecrets
        self.metricsRegistry = metricsRegistry
        self.logger = logger
        // The server's factory over the same registry, so the import durations have the server's histogram buckets.
        self.imports = ImportJobs(store: store, metrics: ImportMetrics(factory: ServerMetrics(registry: metricsRegistry).metricsFactory), logger: logger)
        self.connections = credentials.map { CredentialConnections(store: $0) }
        self.apiKeys = APIKeyDirectory(store: APIKeyStore(pool: store.pool))
    }

    /// The connection pool.
    public var pool: PGConnectionPool { store.pool }

    /// What the API, the pages and `/health` use, from PostgreSQL: the read models' query APIs, the command
    /// handler, the API key, session and user stores, where changes of mappings stand, and the database itself.
    public var controllers: ControllerDependencies {
        ControllerDependencies(
            reads: TenantReadModels(store: store), commands: commands, apiKeys: apiKeys, sessions: SessionStore(pool: pool),
            health: PostgresServerHealth(pool: pool), imports: imports, connections: connections,
            applications: SettingsApplications(store: store), users: UserStore(pool: pool))
    }
}
