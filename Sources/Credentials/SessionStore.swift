import Crypto
public import EventStore
public import Foundation
public import PGClient

/// The web UI's server-side sessions (table `web_sessions`): a session is a random token in the browser's cookie
/// and the token's SHA-256 here, held either by the API key it was opened with or by a user (``UserStore``). It lives
/// with the credentials because revoking a key, removing a user or resetting their password ends its sessions in the
/// same transaction (``APIKeyStore/revoke(keyID:tenant:)``, ``UserStore/remove(userID:tenant:)``).
///
/// Everything runs in the system scope (the token is all a request has before its tenant is known), one statement
/// per call.
public struct SessionStore: Sendable {
    /// A live session: whose it is.
    public struct Session: Sendable, Hashable {
        /// What opened a session.
        public enum Holder: Sendable, Hashable {
            /// An API key (by its public id); such a session may do what the key may: everything.
            case apiKey(String)
            /// A user, by id and e-mail address.
            case user(id: String, email: String)
        }

        /// The tenant.
        public var tenant: TenantID
        /// Who holds it.
        public var holder: Holder
        /// What it may do (``UserRole/admin`` for a key's session).
        public var role: UserRole

        /// Makes a session value.
        public init(tenant: TenantID, holder: Holder, role: UserRole) {
            self.tenant = tenant
            self.holder = holder
            self.role = role
        }
    }

    let pool: PGConnectionPool

    /// Makes a store over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// Opens a session for a live key or an existing user and returns its token (the cookie's value; it is not
    /// stored). Expired sessions of every tenant are deleted on the way.
    /// - Throws: ``PGError`` (a foreign-key violation when the key or user does not exist).
    public func open(tenant: TenantID, holder: Session.Holder, lifetime: Duration) async throws -> String {
        let token = SecureRandom.bytes(32).base64URLString
        let seconds = Double(lifetime.components.seconds)
        let (keyID, userID): (String?, String?) =
            switch holder {
            case .apiKey(let keyID): (keyID, nil)
            case .user(let id, _): (nil, id)
            }
        try await pool.withTransaction(scope: .system) { connection in
            try await connection.execute("DELETE FROM web_sessions WHERE expires_at <= now()")
            try await connection.execute(
                """
                INSERT INTO web_sessions (tenant_id, token_hash, key_id, user_id, expires_at)
                VALUES (\(tenant.rawValue), \(Self.hash(token)), \(keyID), \(userID), now() + make_interval(secs => \(seconds)))
                """)
        }
        return token
    }

    /// The session a token opens: nil when there is none, it expired, its key was revoked or its user removed.
    /// - Throws: ``PGError``.
    public func find(_ token: String) async throws -> Session? {
        guard Self.isWellFormed(token) else { return nil }
        let rows = try await pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                SELECT s.tenant_id, s.key_id, u.user_id, u.email, u.role FROM web_sessions s
                LEFT JOIN api_keys k ON k.tenant_id = s.tenant_id AND k.key_id = s.key_id AND k.revoked_at IS NULL
                LEFT JOIN tenant_users u ON u.tenant_id = s.tenant_id AND u.user_id = s.user_id
                WHERE s.token_hash = \(Self.hash(token)) AND s.expires_at > now() AND (k.key_id IS NOT NULL OR u.user_id IS NOT NULL)
                """
            ).decode((String, String?, String?, String?, String?).self)
        }
        guard let (tenant, keyID, userID, email, role) = rows.first else { return nil }
        if let userID, let email, let role = role.flatMap(UserRole.init(rawValue:)) {
            return Session(tenant: try TenantID(tenant), holder: .user(id: userID, email: email), role: role)
        }
        guard let keyID else { return nil }
        return Session(tenant: try TenantID(tenant), holder: .apiKey(keyID), role: .admin)
    }

    /// Ends a session (logout); nothing happens for a token that opens none.
    /// - Throws: ``PGError``.
    public func close(_ token: String) async throws {
        guard Self.isWellFormed(token) else { return }
        try await pool.withTransaction(scope: .system) { connection in
            _ = try await connection.execute("DELETE FROM web_sessions WHERE token_hash = \(Self.hash(token))")
        }
    }

    /// The stored form of a token.
    static func hash(_ token: String) -> Data { Data(SHA256.hash(data: Data(token.utf8))) }

    /// Tokens are 43 base64url characters; anything else is not looked up.
    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43
            && token.utf8.allSatisfy {
                $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0)
            }
    }
}
