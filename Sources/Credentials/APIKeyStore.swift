public import EventStore
public import Foundation
public import PGClient

/// Creates, lists, revokes and checks tenants' API keys (table `api_keys`). It lives with the other credentials:
/// the CLI makes and revokes keys without the HTTP server, which only checks them.
///
/// Creating, revoking and checking run in the system scope (only it may read the hashes); listing runs in the
/// tenant's scope, which sees every column but the hash.
public struct APIKeyStore: Sendable {
    /// A key as listed (never its secret).
    public struct KeyInfo: Sendable, Hashable, Codable {
        /// The public key id.
        public var keyID: String
        /// The tenant it belongs to.
        public var tenant: String
        /// What the key is for.
        public var name: String
        /// When it was made.
        public var createdAt: Date
        /// When it was revoked, if it was.
        public var revokedAt: Date?
    }

    /// Why a key operation failed.
    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        /// A message a person can act on.
        public var description: String
    }

    let pool: PGConnectionPool

    /// Makes a store over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// Makes a new key for a tenant.
    /// - Parameters:
    ///   - tenant: the tenant.
    ///   - name: what the key is for (1–200 characters), e.g. `ci` or `anna's laptop`.
    /// - Returns: the key (show ``APIKey/token`` once; it cannot be recovered) and its listing.
    /// - Throws: ``Error`` for an unknown tenant or a bad name, or ``PGError``.
    public func create(tenant: TenantID, name: String) async throws -> (key: APIKey, info: KeyInfo) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(name.count) else { throw Error(description: "a key name must have 1 to 200 characters") }
        let key = APIKey.generate()
        do {
            let created = try await pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    """
                    INSERT INTO api_keys (tenant_id, key_id, secret_hash, name) VALUES (\(tenant.rawValue), \(key.keyID), \(key.secretHash), \(name))
                    RETURNING created_at
                    """
                ).singleValue(Date.self)
            }
            return (key, KeyInfo(keyID: key.keyID, tenant: tenant.rawValue, name: name, createdAt: created ?? Date(), revokedAt: nil))
        } catch let error as PGError where error.sqlState == .foreignKeyViolation {
            throw Error(description: "tenant \(tenant) does not exist")
        }
    }

    /// Revokes a key of a tenant; requests with it are refused from then on, and the web sessions opened with it
    /// (``SessionStore``) are deleted in the same transaction.
    /// - Returns: false when the tenant has no such key or it was already revoked.
    /// - Throws: ``PGError``.
    @discardableResult
    public func revoke(keyID: String, tenant: TenantID) async throws -> Bool {
        try await pool.withTransaction(scope: .system) { connection in
            try await connection.execute("DELETE FROM web_sessions WHERE tenant_id = \(tenant.rawValue) AND key_id = \(keyID)")
            return try await connection.execute(
                "UPDATE api_keys SET revoked_at = now() WHERE tenant_id = \(tenant.rawValue) AND key_id = \(keyID) AND revoked_at IS NULL")
        } > 0
    }

    /// A tenant's keys, newest first (in the tenant's scope: hashes are not readable there).
    /// - Throws: ``PGError``.
    public func list(tenant: TenantID) async throws -> [KeyInfo] {
        try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                "SELECT key_id, tenant_id, name, created_at, revoked_at FROM api_keys ORDER BY created_at DESC, key_id"
            ).decode((String, String, String, Date, Date?).self)
        }.map { KeyInfo(keyID: $0.0, tenant: $0.1, name: $0.2, createdAt: $0.3, revokedAt: $0.4) }
    }

    /// The outcome of checking a presented key.
    public enum Verdict: Sendable, Hashable {
        /// A live key of this tenant.
        case valid(tenant: TenantID, keyID: String)
        /// Not a key, or no key matches.
        case unknown
        /// The key was revoked.
        case revoked
    }

    /// Checks a presented key (`ak_…`): one lookup by key id, then a constant-time comparison of the hashes.
    /// - Throws: ``PGError``.
    public func authenticate(_ presented: String) async throws -> Verdict {
        guard let key = APIKey(parsing: presented) else { return .unknown }
        return try await verify(keyID: key.keyID) { stored in constantTimeEqual(stored, key.secretHash) }
    }

    /// Every key id there is (revoked ones too), to refuse a made-up id without a query (``authenticate(_:)`` is
    /// still what checks a key).
    /// - Throws: ``PGError``.
    public func keyIDs() async throws -> Set<String> {
        Set(try await pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT key_id FROM api_keys").decode(String.self)
        })
    }

    /// Checks that a key id names a live key (for sessions, which carry the key id, not the secret).
    /// - Throws: ``PGError``.
    public func verify(keyID: String) async throws -> Verdict {
        try await verify(keyID: keyID) { _ in true }
    }

    private func verify(keyID: String, secretMatches: (Data) -> Bool) async throws -> Verdict {
        let rows = try await pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                "SELECT tenant_id, secret_hash, revoked_at IS NOT NULL FROM api_keys WHERE key_id = \(keyID)"
            ).decode((String, Data, Bool).self)
        }
        guard let (tenant, hash, revoked) = rows.first, secretMatches(hash) else { return .unknown }
        if revoked { return .revoked }
        return .valid(tenant: try TenantID(tenant), keyID: keyID)
    }
}
