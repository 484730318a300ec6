public import Credentials
public import EventStore
public import Hummingbird
import Logging
public import NIOCore

/// Who a request acts for, once authenticated.
public struct TenantIdentity: Sendable, Hashable {
    /// How the request proved it.
    public enum Method: String, Sendable, Hashable {
        /// `Authorization: Bearer ak_…`.
        case apiKey = "api-key"
        /// The web UI's session cookie, from a login with an API key.
        case session
        /// The web UI's session cookie, from a user's login with e-mail address and password.
        case user
    }

    /// The tenant every handler works in.
    public var tenant: TenantID
    /// Who: the API key's public id, or the user's e-mail address.
    public var principal: String
    /// How it was proved.
    public var method: Method
    /// What it may do: ``Credentials/UserRole/admin`` for API keys and their sessions, the user's role otherwise.
    public var role: UserRole
    /// The anti-forgery token of a web session (nil for API keys).
    public var csrfToken: String?

    /// Makes an identity.
    public init(tenant: TenantID, principal: String, method: Method, role: UserRole = .admin, csrfToken: String? = nil) {
        self.tenant = tenant
        self.principal = principal
        self.method = method
        self.role = role
        self.csrfToken = csrfToken
    }

    /// `api-key:<id>`, `session:<id>` or `user:<e-mail>`: the actor recorded with the events a request causes.
    public var actor: String { "\(method.rawValue):\(principal)" }
}

/// The request context of Accord's server: Hummingbird's core context plus the client and the authenticated tenant.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's storage.
    public var coreContext: CoreRequestContextStorage
    /// Set by the authentication middlewares; nil on public routes.
    public var identity: TenantIdentity?
    /// The connection's other end (a proxy, when there is one); nil when not known.
    public let remoteAddress: SocketAddress?
    /// The client's address as ``RateLimitMiddleware`` resolved it (through trusted proxies): the key of the
    /// per-client limits and of login throttling.
    public var clientAddress: String

    /// Makes a context for a request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.remoteAddress = source.channel.remoteAddress
        self.clientAddress = ClientAddress.unknown
    }

    /// The authenticated identity.
    /// - Throws: ``APIError`` 401 when the route was reached without authentication (a wiring mistake).
    public func requireIdentity() throws -> TenantIdentity {
        guard let identity else { throw APIError.unauthorized("authentication required") }
        return identity
    }
}
