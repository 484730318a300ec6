import EventStore
public import Hummingbird

/// The per-tenant limit of the API and the pages, behind their authentication (``APIKeyMiddleware``,
/// ``SessionMiddleware``): one limiter shared by both, keyed by the authenticated tenant.
public struct TenantRateLimitMiddleware: RouterMiddleware {
    /// The request context.
    public typealias Context = AppRequestContext
    let limiter: RateLimiter?

    /// Makes the middleware; a nil limiter lets everything through.
    public init(limiter: RateLimiter?) { self.limiter = limiter }

    /// Applies the tenant's limit, then runs the rest of the chain.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let limiter, let tenant = context.identity?.tenant {
            try RateLimitMiddleware.check(limiter, key: tenant.rawValue, what: "requests for this tenant")
        }
        return try await next(request, context)
    }
}
