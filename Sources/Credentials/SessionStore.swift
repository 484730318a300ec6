import Crypto
public import EventStore
public import Foundation
public import PGClient

/// The web UI's server-side sessions (table `web_sessions`): a session is a random token in the browser's cookie
/// and the token's SHA-256 here, tied to the API key the person logged in with. It lives with the API keys because
/// revoking a key ends its sessions in the same transaction (``APIKeyStore/revoke(keyID:tenant:)``).
///
/// Everything runs in the system scope (the token is all a request has before its tenant is known), one statement
/// per call.
public struct SessionStore: Sendable {
    /// A live session: whose it is.
    public struct Session: Sendable, Hashable {
        /// The tenant.
        public var tenant: TenantID
        /// The API key it was opened with.
        public var keyID: String

        /// Makes a session value.
        public init(tenant: TenantID, keyID: String) {
            self.tenant = tenant
            self.keyID = keyID
        }
    }

    let pool: PGConnectionPool

    /// Makes a store over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// Opens a session for a live key and returns its token (the cookie's value; it is not stored). Expired
    /// sessions of every tenant are deleted on the way.
    /// - Throws: ``PGError`` (a foreign-key violation when the key does not exist).
    public func open(tenant: TenantID, keyID: String, lifetime: Duration) async throws -> String {
        let token = SecureRandom.bytes(32).base64URLString
        let seconds = Double(lifetime.components.seconds)
        try await pool.withTransaction(scope: .system) { connection in
            try await connection.execute("DELETE FROM web_sessions WHERE expires_at <= now()")
            try await connection.execute(
                """
                INSERT INTO web_sessions (tenant_id, token_hash, key_id, expires_at)
                VALUES (\(tenant.rawValue), \(Self.hash(token)), \(keyID), now() + make_interval(secs => \(seconds)))
                """)
        }
        return token
    }

    /// The session a token opens: nil when there is none, it expired, or its key was revoked.
    /// - Throws: ``PGError``.
    public func find(_ token: String) async throws -> Session? {
        guard Self.isWellFormed(token) else { return nil }
        let rows = try await pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                SELECT s.tenant_id, s.key_id FROM web_sessions s JOIN api_keys k USING (tenant_id, key_id)
                WHERE s.token_hash = \(Self.hash(token)) AND s.expires_at > now() AND k.revoked_at IS NULL
                """
            ).decode((String, String).self)
        }
        guard let (tenant, keyID) = rows.first else { return nil }
        return Session(tenant: try TenantID(tenant), keyID: keyID)
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
