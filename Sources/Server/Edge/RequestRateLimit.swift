/// A request rate allowed to one client or one tenant: a steady rate with a burst on top, for ``RateLimiter``.
public struct RequestRateLimit: Sendable, Hashable, CustomStringConvertible {
    /// Requests per second, on average.
    public var requestsPerSecond: Double
    /// Requests allowed at once after a quiet spell (the bucket's size).
    public var burst: Int

    /// Makes a limit; the burst defaults to two seconds' worth (at least 10), so a page with its assets or a short
    /// spike of deliveries never meets the limit.
    public init(requestsPerSecond: Double, burst: Int? = nil) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst ?? max(10, Int((requestsPerSecond * 2).rounded(.up)))
    }

    /// `N/s (burst B)`.
    public var description: String { "\(requestsPerSecond)/s (burst \(burst))" }
}

/// The limits the HTTP server applies, per client address and per tenant, and which proxies it believes about the
/// client's address. A nil limit is off.
public struct EdgeLimits: Sendable, Hashable {
    /// Every request but the probes (`/health`, `/ready`, `/metrics`) and Stripe's webhooks, per client address,
    /// before any authentication (default 50/s, burst 100): a flood of bad API keys or login attempts from one
    /// address is refused before it costs a database query.
    public var perClient: RequestRateLimit?
    /// API requests and pages per authenticated tenant (default 100/s, burst 200): one tenant's scripts cannot
    /// take the HTTP pool from the others.
    public var perTenant: RequestRateLimit?
    /// Stripe webhook deliveries per tenant id in the path (default 500/s, burst 1,000): Stripe sends from a few
    /// shared addresses, so webhooks are never limited per address. A delivery refused with 429 is retried by
    /// Stripe, and the catch-up from Stripe's events list reads it anyway.
    public var webhooksPerTenant: RequestRateLimit?
    /// Addresses of reverse proxies whose `X-Forwarded-For` names the client (default none: the peer address is
    /// the client). Only set it when the server is reachable through those proxies alone.
    public var trustedProxies: Set<String>

    /// Makes the limits.
    public init(
        perClient: RequestRateLimit? = RequestRateLimit(requestsPerSecond: 50, burst: 100),
        perTenant: RequestRateLimit? = RequestRateLimit(requestsPerSecond: 100, burst: 200),
        webhooksPerTenant: RequestRateLimit? = RequestRateLimit(requestsPerSecond: 500, burst: 1_000),
        trustedProxies: Set<String> = []
    ) {
        self.perClient = perClient
        self.perTenant = perTenant
        self.webhooksPerTenant = webhooksPerTenant
        self.trustedProxies = trustedProxies
    }

    /// No limit at all (benchmarks of other parts, tests of other things).
    public static let off = EdgeLimits(perClient: nil, perTenant: nil, webhooksPerTenant: nil)
}
