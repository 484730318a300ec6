import Credentials
public import Hummingbird
import Logging

/// Authenticates the import page's file upload with the session cookie, as ``SessionMiddleware`` does for the
/// other pages (a live server-side session, ``WebSessions``), but leaves the body unread: ``SessionMiddleware``
/// reads a post's whole body (up to the small form limit) to check its anti-forgery token, which a file upload must
/// not be. The upload handler checks the token itself, from the form's `_csrf` part, before storing any of the file
/// (``MultipartImportUpload``).
public struct UploadSessionMiddleware: RouterMiddleware {
    /// The request context.
    public typealias Context = AppRequestContext
    let sessions: any WebSessions

    /// Makes the middleware.
    public init(sessions: any WebSessions) {
        self.sessions = sessions
    }

    /// Checks the session, then runs the rest of the chain as the session's tenant.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let cookie = request.cookies[SessionCookie.session]?.value
        guard let cookie, let session = try await sessions.find(cookie) else {
            return HTMLResponse.redirect(to: "/login", clearingSession: cookie != nil)
        }
        var context = context
        context.identity = TenantIdentity(
            tenant: session.tenant, keyID: session.keyID, method: .session, csrfToken: SessionCookie.csrfToken(for: cookie))
        context.logger[metadataKey: "accord.tenant"] = "\(session.tenant)"
        return try await next(request, context)
    }
}
