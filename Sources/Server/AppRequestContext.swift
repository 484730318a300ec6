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
        /// The web UI's session cookie.
        case session
    }

    /// The tenant every handler works in.
    public var tenant: TenantID
    /// The API key's public id.
    public var keyID: String
    /// How it was proved.
    public var method: Method
    /// The anti-forgery token of a web session (nil for API keys).
    public var csrfToken: String?

    /// `api-key:<id>` or `session:<id>`: the actor recorded with the events a request causes.
    public var actor: String { "\(method.rawValue):\(keyID)" }
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
