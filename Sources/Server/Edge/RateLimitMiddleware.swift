import Foundation
import HTTPTypes
public import Hummingbird

/// The first line of the edge, before any authentication or database work: finds the client's address
/// (``ClientAddress``) and puts it in the context, then applies the per-client limit to every route but the probes
/// and Stripe's webhooks, and the per-tenant webhook limit to `/webhooks/stripe/{tenant}` (the tenant id as
/// written in the path: an unknown one has a bucket too, so a flood at made-up ids is cut off like any other).
///
/// A request over a limit is answered 429 `rate_limited` with `Retry-After` (whole seconds, at least 1) through
/// ``ErrorMiddleware``, so the API and webhooks get the usual JSON error and pages an HTML one.
public struct RateLimitMiddleware: RouterMiddleware {
    /// The request context.
    public typealias Context = AppRequestContext
    let perClient: RateLimiter?
    let webhooks: RateLimiter?
    let trustedProxies: Set<String>

    /// Makes the middleware from the configured limits.
    public init(limits: EdgeLimits) {
        self.perClient = limits.perClient.map { RateLimiter(limit: $0) }
        self.webhooks = limits.webhooksPerTenant.map { RateLimiter(limit: $0) }
        self.trustedProxies = limits.trustedProxies
    }

    /// Paths never limited: the orchestrator's probes and the metrics scrape.
    static let unlimited: Set<String> = ["/health", "/ready", "/metrics"]

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// Resolves the client, applies the limit that fits the path, then runs the rest of the chain.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let address = ClientAddress.resolve(
            peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: Self.forwardedFor], trustedProxies: trustedProxies)
        context.clientAddress = address
        let path = request.uri.path
        if path.hasPrefix("/webhooks/") {
            if let webhooks {
                let tenant = path.split(separator: "/", omittingEmptySubsequences: true).dropFirst(2).first.map { String($0.prefix(64)) } ?? ""
                try Self.check(webhooks, key: tenant, what: "webhook deliveries for this endpoint")
            }
        } else if let perClient, Self.countsPerClient(path) {
            try Self.check(perClient, key: address, what: Self.perClientRequests)
        }
        return try await next(request, context)
    }

    /// Whether the per-client limit counts a request to `path` (not webhooks, which are limited per tenant, nor the probes).
    static func countsPerClient(_ path: String) -> Bool {
        !path.hasPrefix("/webhooks/") && !unlimited.contains(path)
    }

    /// Takes a token, or throws 429 saying when to come back.
    static func check(_ limiter: RateLimiter, key: String, what: String) throws {
        if let wait = limiter.take(key) { throw tooMany(what, wait: wait) }
    }

    /// The refusal of a request over a limit: 429 `rate_limited`, retry after `wait`.
    static func tooMany(_ what: String, wait: Duration) -> APIError {
        APIError.tooManyRequests("too many \(what); retry after the time in Retry-After", retryAfter: wait)
    }

    /// What the per-client limit counts, as its refusal names it.
    static let perClientRequests = "requests from this address"
}
