import Credentials
public import Foundation
public import Hummingbird
import Logging

/// Authenticates the import page's file upload with the session cookie, as ``SessionMiddleware`` does for the
/// other pages, but leaves the body unread: ``SessionMiddleware`` reads a post's whole body (up to the small form
/// limit) to check its anti-forgery token, which a file upload must not be. The upload handler checks the token
/// itself, from the form's `_csrf` part, before storing any of the file (``MultipartImportUpload``).
public struct UploadSessionMiddleware: RouterMiddleware {
    /// The request context.
    public typealias Context = AppRequestContext
    let keys: any APIKeyAuthenticator
    let secret: Data

    /// Makes the middleware.
    public init(keys: any APIKeyAuthenticator, secret: Data) {
        self.keys = keys
        self.secret = secret
    }

    /// Checks the session, then runs the rest of the chain as the session's tenant.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let cookie = request.cookies[SessionToken.cookieName]?.value, let session = SessionToken(cookie: cookie, secret: secret),
            case .valid(let tenant, let keyID) = try await keys.verify(keyID: session.keyID), tenant == session.tenant
        else {
            return HTMLResponse.redirect(to: "/login", clearingSession: request.cookies[SessionToken.cookieName] != nil)
        }
        var context = context
        context.identity = TenantIdentity(
            tenant: tenant, keyID: keyID, method: .session, csrfToken: SessionToken.csrfToken(forCookie: cookie, secret: secret))
        context.logger[metadataKey: "accord.tenant"] = "\(tenant)"
        return try await next(request, context)
    }
}
