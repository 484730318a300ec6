public import Foundation

/// Where the server listens and the limits it enforces.
///
/// Every value has a default that suits a local run; `accord serve` overrides them from its options and the
/// environment.
public struct ServerConfiguration: Sendable {
    /// The address to bind (default `127.0.0.1`: loopback only; put a reverse proxy with TLS in front).
    public var host: String
    /// The port (default 8080; 0 picks a free port).
    public var port: Int
    /// The public base URL people and Stripe reach the server at (used in links and the webhook URL shown
    /// to users), without a trailing slash. Without a configured one it is `http://host:port`; with port 0, the port
    /// the server bound once it is running.
    public var baseURL: String { publicAddress.current }
    private let publicAddress: PublicAddress
    /// The largest JSON body the API accepts (default 64 KiB).
    public var maxJSONBodyBytes: Int
    /// The largest form body the web pages accept (default 64 KiB).
    public var maxFormBodyBytes: Int
    /// The largest customer file an import accepts (default 100 MiB); it is written to a temporary file as it
    /// arrives, never held in memory.
    public var maxImportBytes: Int
    /// The largest webhook delivery accepted (default 512 KiB; Stripe events are far smaller).
    public var maxWebhookBodyBytes: Int
    /// How old a webhook's signed timestamp may be (default 300 s, Stripe's SDK default).
    public var webhookTolerance: Duration
    /// The most rows one API page returns (default 200); `limit` above it is refused.
    public var maxPageSize: Int
    /// How long a web session lasts from login (default 12 h).
    public var sessionLifetime: Duration
    /// Whether cookies are marked `Secure` (default true). Only plain HTTP on loopback (the demo, a developer's
    /// machine) turns it off, explicitly: `accord serve` accepts `ACCORD_INSECURE_COOKIES=true` only with a
    /// loopback host.
    public var secureCookies: Bool
    /// The rate limits per client address and per tenant, and the trusted proxies.
    public var limits: EdgeLimits
    /// How failed logins are slowed down.
    public var loginThrottle: LoginThrottle.Policy
    /// How long a connection may stay without reading or writing before it is closed (default 30 s): an idle or
    /// trickling client does not hold a connection for ever.
    public var idleTimeout: Duration
    /// How many connections are served at once (default 1,000); beyond that, new ones wait in the listen backlog.
    public var maxConnections: Int
    /// How many customers a settings change may change (as its preview counts them) before it is saved only once a
    /// person has confirmed it (default 100).
    public var confirmChangesAbove: Int

    /// Makes a configuration.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        baseURL: String? = nil,
        maxJSONBodyBytes: Int = 64 * 1024,
        maxFormBodyBytes: Int = 64 * 1024,
        maxWebhookBodyBytes: Int = 512 * 1024,
        maxImportBytes: Int = 100 * 1024 * 1024,
        webhookTolerance: Duration = .seconds(300),
        maxPageSize: Int = 200,
        sessionLifetime: Duration = .seconds(12 * 3600),
        secureCookies: Bool = true,
        idleTimeout: Duration = .seconds(30),
        maxConnections: Int = 1_000,
        limits: EdgeLimits = EdgeLimits(),
        loginThrottle: LoginThrottle.Policy = LoginThrottle.Policy(),
        confirmChangesAbove: Int = 100
    ) {
        self.confirmChangesAbove = confirmChangesAbove
        self.host = host
        self.port = port
        var base = baseURL ?? "http://\(host):\(port)"
        while base.hasSuffix("/") { base.removeLast() }
        self.publicAddress = PublicAddress(base, followingBindOf: baseURL == nil && port == 0 ? host : nil)
        self.maxJSONBodyBytes = maxJSONBodyBytes
        self.maxFormBodyBytes = maxFormBodyBytes
        self.maxWebhookBodyBytes = maxWebhookBodyBytes
        self.maxImportBytes = maxImportBytes
        self.webhookTolerance = webhookTolerance
        self.maxPageSize = maxPageSize
        self.sessionLifetime = sessionLifetime
        self.secureCookies = secureCookies
        self.limits = limits
        self.loginThrottle = loginThrottle
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    /// The server is listening on `port` (what a free-port request got): the derived ``baseURL`` names it.
    func serverBound(port: Int) { publicAddress.bound(port: port) }
}
