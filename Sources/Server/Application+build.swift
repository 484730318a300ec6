public import Foundation
public import Hummingbird
import HummingbirdCore
import Ingest
import Logging
import NIOCore
public import PGClient

/// Accord's HTTP server: the JSON API, the Stripe webhook endpoint, the web pages, `/health` and `/metrics` —
/// built from one configuration and one set of dependencies. The webhook endpoint only records deliveries in the
/// inbox and rings ``doorbell``; the inbox processor (``Ingest/InboxProcessor``) runs beside the server in the
/// process's service group, waiting on that doorbell and counting into ``metrics``.
///
/// ```swift
/// let server = AccordServer(configuration: configuration, dependencies: dependencies)
/// let inbox = InboxProcessor(pool: pool, commands: commands, stripeCustomers: source, metrics: server.metrics.inbox,
///                            doorbell: server.doorbell, logger: logger)
/// try await ServiceGroup(services: [pool, projections, reactor, inbox, server.buildApplication()], …).run()
/// ```
public struct AccordServer: Sendable {
    /// The configuration.
    public let configuration: ServerConfiguration
    /// The dependencies.
    public let dependencies: ServerDependencies
    /// The metrics.
    public let metrics: ServerMetrics
    /// Rung when a webhook delivery is recorded; give it to the inbox processor, which waits on it.
    public let doorbell: Doorbell
    /// Records the webhook endpoint's deliveries, concurrent ones in shared transactions.
    let inbox: InboxRecorder
    /// The clock webhook signature timestamps are checked against.
    let webhookClock: @Sendable () -> Date
    /// The rate limits, shared by the router's middleware and the connections' early refusals.
    let rateLimits: RateLimitMiddleware

    /// Makes the server's parts.
    /// - Parameter webhookClock: the clock for webhook timestamp tolerance (the system clock by default).
    public init(configuration: ServerConfiguration, dependencies: ServerDependencies, webhookClock: (@Sendable () -> Date)? = nil) {
        self.configuration = configuration
        self.dependencies = dependencies
        self.metrics = ServerMetrics(registry: dependencies.metricsRegistry)
        self.doorbell = Doorbell()
        self.inbox = InboxRecorder(pool: dependencies.pool)
        self.webhookClock = webhookClock ?? { Date() }
        self.rateLimits = RateLimitMiddleware(limits: configuration.limits)
    }

    /// The router with every route and middleware: ``buildRouter(configuration:controllers:metrics:)`` over
    /// ``ServerDependencies/controllers``, plus Stripe's webhook endpoint.
    public func buildRouter() -> Router<AppRequestContext> {
        let router = Self.buildRouter(
            configuration: configuration, controllers: dependencies.controllers, metrics: metrics, rateLimits: rateLimits)
        StripeWebhookController(
            dependencies: dependencies, configuration: configuration, metrics: metrics, inbox: inbox, doorbell: doorbell, now: webhookClock)
            .addRoutes(to: router)
        return router
    }

    /// The router without Stripe's webhook endpoint (which records into the PostgreSQL inbox itself): the
    /// middlewares, `/health`, `/metrics`, the API under `/api/v1` (and its OpenAPI document) and the pages, over the
    /// controllers' dependencies — PostgreSQL's in ``buildRouter()``, in-memory ones in tests.
    ///
    /// Middlewares, outermost first: metrics, errors, the per-client and webhook rate limits and the body caps
    /// (before any authentication or database work); then, on the API and the pages, authentication and the
    /// per-tenant limit.
    public static func buildRouter(
        configuration: ServerConfiguration, controllers: ControllerDependencies, metrics: ServerMetrics, rateLimits: RateLimitMiddleware? = nil
    ) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        router.middlewares.add(RequestMetricsMiddleware(metrics: metrics))
        router.middlewares.add(ErrorMiddleware())
        router.middlewares.add(rateLimits ?? RateLimitMiddleware(limits: configuration.limits))
        router.middlewares.add(BodyLimitMiddleware(configuration: configuration, metrics: metrics))
        let perTenant = TenantRateLimitMiddleware(limiter: configuration.limits.perTenant.map { RateLimiter(limit: $0) })

        HealthController(probe: controllers.health, metrics: metrics).addRoutes(to: router)

        OpenAPIController().addRoutes(to: router)
        let api = router.group("api/v1").add(middleware: APIKeyMiddleware(keys: controllers.apiKeys)).add(middleware: perTenant)
        APIController(dependencies: controllers, configuration: configuration).addRoutes(to: api)
        let imports = ImportController(dependencies: controllers, configuration: configuration)
        imports.addAPIRoutes(to: api)
        let connections = ConnectionsController(dependencies: controllers, configuration: configuration)
        connections.addAPIRoutes(to: api)

        let web = WebController(dependencies: controllers, configuration: configuration)
        web.addPublicRoutes(to: router)
        LoginController(
            keys: controllers.apiKeys, users: controllers.users, sessions: controllers.sessions, configuration: configuration,
            throttle: LoginThrottle(policy: configuration.loginThrottle)
        ).addRoutes(to: router)
        let pages = router.group("ui").add(
            middleware: SessionMiddleware(sessions: controllers.sessions, maxFormBodyBytes: configuration.maxFormBodyBytes)
        ).add(middleware: perTenant)
        web.addRoutes(to: pages)
        imports.addPageRoutes(to: pages)
        connections.addPageRoutes(to: pages)
        // The import page's file upload: the session is checked without reading the body (its handler checks the token).
        imports.addUploadRoute(
            to: router.group("ui/imports").add(
                middleware: SessionMiddleware(
                    sessions: controllers.sessions, maxFormBodyBytes: configuration.maxFormBodyBytes, checksFormToken: false)
            ).add(middleware: perTenant))
        return router
    }

    /// The application: a `Service` to run in `accord serve`'s `ServiceGroup` (after the pool), serving on the
    /// configured host and port.
    public func buildApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: buildRouter(), server: Self.httpServer(configuration, refusing: rateLimits, metrics: metrics),
            configuration: Self.applicationConfiguration(configuration),
            onServerRunning: { [configuration] channel in
                let port = channel.localAddress?.port ?? 0
                configuration.serverBound(port: port)
                await onServerRunning(port)
            },
            logger: dependencies.logger)
    }

    /// HTTP/1.1 with the configured idle timeout; with `rateLimits`, each connection refuses on its event loop what
    /// their per-client limit refuses anyway (``ClientLimitRefusalHandler``).
    static func httpServer(_ configuration: ServerConfiguration, refusing rateLimits: RateLimitMiddleware? = nil, metrics: ServerMetrics? = nil)
        -> HTTPServerBuilder
    {
        let idleTimeout = TimeAmount(configuration.idleTimeout)
        guard let limiter = rateLimits?.perClient, let trustedProxies = rateLimits?.trustedProxies, let metrics else {
            return .http1(configuration: .init(idleTimeout: idleTimeout))
        }
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [ClientLimitRefusalHandler(limiter: limiter, trustedProxies: trustedProxies, metrics: metrics)],
                idleTimeout: idleTimeout))
    }

    /// The `Server` header of every answer.
    static let serverName = "accord"

    /// The address and the cap on connections served at once.
    static func applicationConfiguration(_ configuration: ServerConfiguration) -> ApplicationConfiguration {
        ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: serverName,
            availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections))
    }
}

/// Builds the application (see ``AccordServer/buildApplication(onServerRunning:)``).
public func buildApplication(configuration: ServerConfiguration, dependencies: ServerDependencies) -> some ApplicationProtocol {
    AccordServer(configuration: configuration, dependencies: dependencies).buildApplication()
}

/// Builds the router (see ``AccordServer/buildRouter()``).
public func buildRouter(configuration: ServerConfiguration, dependencies: ServerDependencies) -> Router<AppRequestContext> {
    AccordServer(configuration: configuration, dependencies: dependencies).buildRouter()
}
