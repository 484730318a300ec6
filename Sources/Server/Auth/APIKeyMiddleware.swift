import Credentials
import Foundation
public import Hummingbird
import Logging

/// Authenticates API requests with `Authorization: Bearer ak_…` and puts the key's tenant into the context;
/// every handler behind it works only in that tenant's scope. A missing, unknown or revoked key is 401.
public struct APIKeyMiddleware: RouterMiddleware {
    /// The request context.
    public typealias Context = AppRequestContext
    let keys: any APIKeyAuthenticator

    /// Makes the middleware.
    public init(keys: any APIKeyAuthenticator) { self.keys = keys }

    /// Checks the key, then runs the rest of the chain as its tenant.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing Authorization header: send 'Authorization: Bearer <API key>'")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be 'Bearer <API key>'")
        }
        switch try await keys.authenticate(parts[1].trimmingCharacters(in: .whitespaces)) {
        case .valid(let tenant, let keyID):
            var context = context
            context.identity = TenantIdentity(tenant: tenant, principal: keyID, method: .apiKey)
            context.logger[metadataKey: "accord.tenant"] = "\(tenant)"
            return try await next(request, context)
        case .revoked:
            throw APIError.unauthorized("this API key has been revoked")
        case .unknown:
            throw APIError.unauthorized("invalid API key")
        }
    }
}
