public import Credentials
public import EventStore

/// Where the web UI's sessions live: server-side, so that logging out, revoking the key or removing the user ends a
/// session even where its cookie was copied, and every replica knows every session. ``Credentials/SessionStore``
/// keeps them in PostgreSQL; tests keep them in memory.
public protocol WebSessions: Sendable {
    /// Opens a session for a live key or a user; returns the token for the cookie.
    func open(tenant: TenantID, holder: SessionStore.Session.Holder, lifetime: Duration) async throws -> String
    /// The live session a token opens (nil once logged out, expired, its key revoked or its user removed).
    func find(_ token: String) async throws -> SessionStore.Session?
    /// Ends a session.
    func close(_ token: String) async throws
}

extension SessionStore: WebSessions {}
