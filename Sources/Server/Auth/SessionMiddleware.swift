import Credentials
public import Foundation
public import Hummingbird
import Logging
import NIOCore

/// Authenticates web pages with the session cookie made at login (``SessionToken``). Without a valid session
/// (or once the key behind it is revoked) a page redirects to `/login`. Every form post must also carry the
/// session's anti-forgery token (`_csrf`); the body is read here (up to the form limit) and handed on.
public struct SessionMiddleware: RouterMiddleware {
    /// The request context.
    public typealias Context = AppRequestContext
    let keys: any APIKeyAuthenticator
    let secret: Data
    let maxFormBodyBytes: Int

    /// Makes the middleware.
    public init(keys: any APIKeyAuthenticator, secret: Data, maxFormBodyBytes: Int) {
        self.keys = keys
        self.secret = secret
        self.maxFormBodyBytes = maxFormBodyBytes
    }

    /// Checks the session (and a post's token), then runs the rest of the chain as the session's tenant.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let cookie = request.cookies[SessionToken.cookieName]?.value, let session = SessionToken(cookie: cookie, secret: secret),
            case .valid(let tenant, let keyID) = try await keys.verify(keyID: session.keyID), tenant == session.tenant
        else {
            return HTMLResponse.redirect(to: "/login", clearingSession: request.cookies[SessionToken.cookieName] != nil)
        }
        var context = context
        let csrf = SessionToken.csrfToken(forCookie: cookie, secret: secret)
        context.identity = TenantIdentity(tenant: tenant, keyID: keyID, method: .session, csrfToken: csrf)
        context.logger[metadataKey: "accord.tenant"] = "\(tenant)"
        var request = request
        if request.method == .post {
            let body = try await JSONBody.bytes(of: request, limit: maxFormBodyBytes)
            let form = FormData(String(buffer: body))
            guard let token = form["_csrf"], constantTimeEqual(Array(token.utf8), Array(csrf.utf8)) else {
                throw APIError(
                    .forbidden, code: "forbidden", message: "the form has expired or did not come from this site; reload the page and try again")
            }
            request.body = .init(buffer: body)
        }
        return try await next(request, context)
    }
}
