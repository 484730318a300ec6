import Credentials
public import Hummingbird
import Logging
import NIOCore

/// Authenticates web pages with the session cookie made at login: its token must open a live server-side session
/// (``WebSessions``: not logged out, not expired, its API key not revoked, its user not removed). Without one a page
/// redirects to `/login`. A viewer's post is refused (403) before its body is read: every post changes something.
/// Every form post must also carry the session's anti-forgery token (`_csrf`, see ``SessionCookie``);
/// the body is read here (up to the form limit) and handed on — except on a route made with `checksFormToken: false`
/// (the import page's file upload, which must not be read whole: its handler checks the token from the form's
/// `_csrf` part before storing any of the file, ``MultipartImportUpload``).
public struct SessionMiddleware: RouterMiddleware {
    /// The request context.
    public typealias Context = AppRequestContext
    let sessions: any WebSessions
    let maxFormBodyBytes: Int
    let checksFormToken: Bool

    /// Makes the middleware; `checksFormToken: false` leaves a post's body unread and its token to the handler.
    public init(sessions: any WebSessions, maxFormBodyBytes: Int, checksFormToken: Bool = true) {
        self.sessions = sessions
        self.maxFormBodyBytes = maxFormBodyBytes
        self.checksFormToken = checksFormToken
    }

    /// Checks the session (and a post's token), then runs the rest of the chain as the session's tenant.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let cookie = request.cookies[SessionCookie.session]?.value
        guard let cookie, let session = try await sessions.find(cookie) else {
            return HTMLResponse.redirect(to: "/login", clearingSession: cookie != nil)
        }
        var context = context
        let csrf = SessionCookie.csrfToken(for: cookie)
        context.identity =
            switch session.holder {
            case .apiKey(let keyID): TenantIdentity(tenant: session.tenant, principal: keyID, method: .session, role: session.role, csrfToken: csrf)
            case .user(_, let email): TenantIdentity(tenant: session.tenant, principal: email, method: .user, role: session.role, csrfToken: csrf)
            }
        context.logger[metadataKey: "accord.tenant"] = "\(session.tenant)"
        // Errors are answered here, where the page still knows who is signed in (it keeps the navigation).
        do {
            if request.method == .post, session.role == .viewer { throw Self.readOnly }
            var request = request
            if request.method == .post, checksFormToken {
                let body = try await JSONBody.bytes(of: request, limit: maxFormBodyBytes)
                guard SessionCookie.matches(FormData(String(buffer: body))["_csrf"], cookie: cookie) else { throw Self.forgedForm }
                request.body = .init(buffer: body)
            }
            return try await next(request, context)
        } catch {
            return ErrorMiddleware.answer(error, request: request, context: context)
        }
    }

    /// A viewer's post.
    static let readOnly = APIError(
        .forbidden, code: "read_only", message: "your role is viewer: you can look at everything but change nothing; an admin can change your role")

    /// A post without its page's token: from another site, or from a page of an earlier session.
    static let forgedForm = APIError(
        .forbidden, code: "forbidden", message: "the form has expired or did not come from this site; reload the page and try again")
}
