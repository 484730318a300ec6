import Credentials
import EventStore
import Foundation
import HTTPTypes
public import Hummingbird

/// `GET /login`, `POST /login`, `POST /logout`: opening and ending the web UI's server-side sessions, for a user
/// (e-mail address and password, ``TenantUsers``) or with an API key.
///
/// Login CSRF (a site logging a visitor into the attacker's tenant) is refused with a token tied to a pre-session
/// cookie: the login page sets a random `accord_login` cookie (`SameSite=Strict`, `HttpOnly`) and puts the token
/// derived from it (``SessionCookie/csrfToken(for:)``) in the form; a post without both is 403. A foreign site can
/// neither read the cookie nor have the browser send it, and nothing needs to be stored or shared between replicas.
/// An `Origin` check alone was not chosen: browsers and proxies do not always send or keep it, and the pages'
/// other forms already carry tokens the same way.
///
/// Failed logins are throttled per client address and account — key id or e-mail address (``LoginThrottle``): a
/// blocked attempt is 429 with `Retry-After`, before the key or password is checked.
public struct LoginController: Sendable {
    let keys: any APIKeyAuthenticator
    let users: (any TenantUsers)?
    let sessions: any WebSessions
    let configuration: ServerConfiguration
    let throttle: LoginThrottle

    /// Makes the controller.
    public init(
        keys: any APIKeyAuthenticator, users: (any TenantUsers)? = nil, sessions: any WebSessions, configuration: ServerConfiguration,
        throttle: LoginThrottle
    ) {
        self.keys = keys
        self.users = users
        self.sessions = sessions
        self.configuration = configuration
        self.throttle = throttle
    }

    /// Adds the routes.
    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/login", use: loginPage)
        router.post("/login", use: login)
        router.post("/logout", use: logout)
    }

    @Sendable func loginPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        page(request, error: nil, status: .ok)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = FormData(String(buffer: try await JSONBody.bytes(of: request, limit: configuration.maxFormBodyBytes)))
        guard SessionCookie.matches(form["_csrf"], cookie: request.cookies[SessionCookie.login]?.value) else {
            return page(request, error: "The login form expired or did not come from this site. Try again.", status: .forbidden, fresh: true)
        }
        if let email = form.trimmed("email") {
            return try await login(email: email, password: form["password"] ?? "", request, context: context)
        }
        guard let presented = form.trimmed("api_key") else {
            return page(request, error: "Enter your e-mail address and password, or an API key.", status: .unauthorized)
        }
        let counted = LoginThrottle.keys(address: context.clientAddress, account: APIKey(parsing: presented).map { LoginThrottle.account(keyID: $0.keyID) })
        if let refused = throttled(counted, request) { return refused }
        switch try await keys.authenticate(presented) {
        case .valid(let tenant, let keyID):
            throttle.succeeded(account: LoginThrottle.account(keyID: keyID))
            return try await opened(tenant: tenant, holder: .apiKey(keyID))
        case .revoked:
            throttle.failed(counted)
            return page(request, error: "This API key has been revoked.", status: .unauthorized)
        case .unknown:
            throttle.failed(counted)
            return page(request, error: "This API key is not valid.", status: .unauthorized)
        }
    }

    /// A user's login: the same throttle (per address and per e-mail address), one answer for an unknown address
    /// and a wrong password.
    func login(email: String, password: String, _ request: Request, context: AppRequestContext) async throws -> Response {
        let account = LoginThrottle.account(email: email.lowercased())
        let counted = LoginThrottle.keys(address: context.clientAddress, account: account)
        if let refused = throttled(counted, request) { return refused }
        guard let users else { return page(request, error: "Logging in with a password is not available here; use an API key.", status: .unauthorized) }
        switch try await users.authenticate(email: email, password: password) {
        case .valid(let tenant, let userID, _):
            throttle.succeeded(account: account)
            return try await opened(tenant: tenant, holder: .user(id: userID, email: email.lowercased()))
        case .unknown:
            throttle.failed(counted)
            return page(request, error: "The e-mail address or the password is not right.", status: .unauthorized)
        }
    }

    /// The 429 page when an address or account is blocked.
    func throttled(_ counted: [String], _ request: Request) -> Response? {
        guard let wait = throttle.blocked(counted) else { return nil }
        var response = page(request, error: "Too many failed attempts. Try again later.", status: .tooManyRequests)
        response.headers[.retryAfter] = String(ErrorMiddleware.wholeSeconds(wait))
        return response
    }

    /// Opens the session and sends the browser to the overview with its cookie.
    func opened(tenant: TenantID, holder: SessionStore.Session.Holder) async throws -> Response {
        let token = try await sessions.open(tenant: tenant, holder: holder, lifetime: configuration.sessionLifetime)
        var response = HTMLResponse.redirect(to: "/ui")
        response.setCookie(
            SessionCookie.make(
                SessionCookie.session, value: token, maxAge: Int(configuration.sessionLifetime.components.seconds), path: "/",
                secure: configuration.secureCookies))
        return response
    }

    /// Ends the session when the post carries its token (the header's form does), and clears the cookie in any case.
    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = FormData(String(buffer: try await JSONBody.bytes(of: request, limit: configuration.maxFormBodyBytes)))
        if let cookie = request.cookies[SessionCookie.session]?.value, SessionCookie.matches(form["_csrf"], cookie: cookie) {
            try await sessions.close(cookie)
        }
        return HTMLResponse.redirect(to: "/login", clearingSession: true)
    }

    /// The login page, its form's token tied to the browser's pre-session cookie (set here when missing, malformed
    /// or `fresh` is asked for).
    func page(_ request: Request, error: String?, status: HTTPResponse.Status, fresh: Bool = false) -> Response {
        let existing = request.cookies[SessionCookie.login].map(\.value).flatMap { $0.utf8.count == 43 ? $0 : nil }
        let value = fresh ? nil : existing
        let cookie = value ?? SecureRandom.bytes(32).base64URLString
        var response = HTMLResponse.page(Pages.login(error: error, csrf: SessionCookie.csrfToken(for: cookie)), status: status)
        if value == nil {
            response.setCookie(
                SessionCookie.make(
                    SessionCookie.login, value: cookie, maxAge: SessionCookie.loginFormLifetime, path: "/login", secure: configuration.secureCookies))
        }
        return response
    }
}
