public import EventStore
import Foundation
public import Logging
public import PGClient

/// Saves and loads tenants' connections in `tenant_connections`, secrets sealed with a ``CredentialCipher``.
///
/// Every call runs in the system scope (only the system role may read the sealed columns; a tenant-scoped
/// transaction is refused them by column privileges and sees no other tenant's row). Logs name the tenant,
/// which connections changed and the key id, never a secret.
public struct CredentialStore: Sendable {
    let pool: PGConnectionPool
    /// The cipher that seals and opens the secrets.
    public let cipher: CredentialCipher
    let logger: Logger

    /// Makes a store.
    /// - Parameters:
    ///   - pool: the database.
    ///   - cipher: the master key(s); see ``CredentialCipher/fromEnvironment(_:)``.
    ///   - logger: receives one info line per change (no secrets).
    public init(pool: PGConnectionPool, cipher: CredentialCipher, logger: Logger) {
        self.pool = pool
        self.cipher = cipher
        self.logger = logger
    }

    /// The columns, in the order ``Row`` decodes them.
    private static let columns = """
        tenant_id, key_id, economic_base_url, economic_app_secret_token, economic_agreement_grant_token,
        stripe_api_base, stripe_secret_key, stripe_webhook_secrets, updated_at
        """

    // MARK: Writing

    /// Stores a tenant's connections, replacing what was stored (a `nil` part removes that connection; both `nil`
    /// removes the row). Every secret is sealed anew with the current key.
    /// - Throws: ``CredentialError`` (`invalidConnections`, `unknownTenant`, `database`).
    public func save(_ connections: TenantConnections) async throws {
        try await modify(connections.tenant) { stored in
            stored.economic = connections.economic
            stored.stripe = connections.stripe
        }
    }

    /// Sets (or with `nil` removes) a tenant's e-conomic connection, keeping its Stripe connection.
    /// - Throws: ``CredentialError`` (also `wrongMasterKey`/`decryptionFailed` when the stored row cannot be opened).
    public func setEconomic(_ economic: TenantConnections.Economic?, for tenant: TenantID) async throws {
        try await modify(tenant) { $0.economic = economic }
    }

    /// Sets (or with `nil` removes) a tenant's Stripe connection, keeping its e-conomic connection.
    /// - Throws: ``CredentialError`` (also `wrongMasterKey`/`decryptionFailed` when the stored row cannot be opened).
    public func setStripe(_ stripe: TenantConnections.Stripe?, for tenant: TenantID) async throws {
        try await modify(tenant) { $0.stripe = stripe }
    }

    /// Removes every connection of a tenant.
    /// - Returns: whether there was anything to remove.
    /// - Throws: ``CredentialError`` with code `database`.
    @discardableResult
    public func remove(_ tenant: TenantID) async throws -> Bool {
        let removed = try await database(tenant) {
            try await pool.withTransaction(scope: .system) { connection in
                try await connection.execute("DELETE FROM tenant_connections WHERE tenant_id = \(tenant.rawValue)")
            }
        }
        if removed > 0 { logger.info("removed tenant connections", metadata: ["tenant": "\(tenant)"]) }
        return removed > 0
    }

    /// Seals again, with the current key, every row sealed with a previous key (after a key rotation).
    /// - Returns: how many rows were resealed.
    /// - Throws: ``CredentialError`` (`wrongMasterKey` for a row whose key is not configured at all).
    @discardableResult
    public func reseal() async throws -> Int {
        let stale = try await database(nil) {
            try await pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT tenant_id FROM tenant_connections WHERE key_id <> \(cipher.current.id) ORDER BY tenant_id")
                    .decode((String).self)
            }
        }
        for id in stale { try await modify(try TenantID(id)) { _ in } }
        return stale.count
    }

    /// Loads the stored row under a lock, lets `change` edit the opened connections, and writes them back sealed
    /// with the current key, in one transaction.
    private func modify(_ tenant: TenantID, _ change: (inout TenantConnections) -> Void) async throws {
        let saved = try await database(tenant) {
            try await pool.withTransaction(scope: .system) { connection -> TenantConnections in
                let rows = try await connection.query(
                    "SELECT \(unsafeRaw: Self.columns) FROM tenant_connections WHERE tenant_id = \(tenant.rawValue) FOR UPDATE")
                var connections = try rows.first.map { try open(Row($0)) } ?? TenantConnections(tenant: tenant)
                change(&connections)
                let problems = connections.problems
                guard problems.isEmpty else {
                    throw CredentialError(code: .invalidConnections, message: problems.joined(separator: "; "), tenant: tenant)
                }
                if connections.economic == nil && connections.stripe == nil {
                    try await connection.execute("DELETE FROM tenant_connections WHERE tenant_id = \(tenant.rawValue)")
                } else {
                    try await write(connections, on: connection)
                }
                return connections
            }
        }
        logger.info(
            "saved tenant connections",
            metadata: [
                "tenant": "\(tenant)", "connections.economic": "\(saved.economic == nil ? "none" : "set")",
                "connections.stripe": "\(saved.stripe == nil ? "none" : "set")",
                "connections.webhook_secrets": "\(saved.stripe?.webhookSecrets.count ?? 0)", "crypto.key_id": "\(cipher.current.id)",
            ])
    }

    private func write(_ connections: TenantConnections, on connection: PGConnection) async throws {
        let tenant = connections.tenant
        func seal(_ secret: Secret?, _ field: String) throws(CredentialError) -> Data? {
            try secret.map { secret throws(CredentialError) in try cipher.seal(secret.revealed, tenant: tenant, field: field) }
        }
        let webhookSecrets: Data?
        if let secrets = connections.stripe?.webhookSecrets, !secrets.isEmpty {
            let json = String(decoding: try JSONEncoder().encode(secrets.map(\.revealed)), as: UTF8.self)
            webhookSecrets = try cipher.seal(json, tenant: tenant, field: Field.stripeWebhookSecrets)
        } else {
            webhookSecrets = nil
        }
        try await connection.execute(
            """
            INSERT INTO tenant_connections (\(unsafeRaw: Self.columns))
            VALUES (\(tenant.rawValue), \(cipher.current.id), \(connections.economic?.baseURL),
                    \(try seal(connections.economic?.appSecretToken, Field.economicAppSecretToken)),
                    \(try seal(connections.economic?.agreementGrantToken, Field.economicAgreementGrantToken)),
                    \(connections.stripe?.apiBase), \(try seal(connections.stripe?.secretKey, Field.stripeSecretKey)),
                    \(webhookSecrets), now())
            ON CONFLICT (tenant_id) DO UPDATE SET
                key_id = excluded.key_id, economic_base_url = excluded.economic_base_url,
                economic_app_secret_token = excluded.economic_app_secret_token,
                economic_agreement_grant_token = excluded.economic_agreement_grant_token,
                stripe_api_base = excluded.stripe_api_base, stripe_secret_key = excluded.stripe_secret_key,
                stripe_webhook_secrets = excluded.stripe_webhook_secrets, updated_at = now()
            """)
    }

    // MARK: Reading

    /// A tenant's connections with their secrets opened, or `nil` when none are stored.
    /// - Throws: ``CredentialError`` (`wrongMasterKey`, `decryptionFailed`, `database`).
    public func load(_ tenant: TenantID) async throws -> TenantConnections? {
        let row = try await database(tenant) {
            try await pool.pipeline(
                scope: .system, ["SELECT \(unsafeRaw: Self.columns) FROM tenant_connections WHERE tenant_id = \(tenant.rawValue)"]
            )[0].first.map(Row.init)
        }
        return try row.map(open)
    }

    /// Which tenants have which connections (no secret is opened).
    /// - Throws: ``CredentialError`` with code `database`.
    public func list() async throws -> [ConnectionSummary] {
        let rows = try await database(nil) {
            try await pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    """
                    SELECT tenant_id, economic_base_url, stripe_api_base, stripe_webhook_secrets IS NOT NULL, key_id, updated_at
                    FROM tenant_connections ORDER BY tenant_id
                    """
                ).decode((String, String?, String?, Bool, String, Date).self)
            }
        }
        return try rows.map {
            ConnectionSummary(
                tenant: try TenantID($0.0), economicBaseURL: $0.1, stripeAPIBase: $0.2, hasWebhookSecrets: $0.3, keyID: $0.4, updatedAt: $0.5)
        }
    }

    // MARK: Rows

    /// The sealed columns' names, also the associated data of their values.
    enum Field {
        static let economicAppSecretToken = "economic_app_secret_token"
        static let economicAgreementGrantToken = "economic_agreement_grant_token"
        static let stripeSecretKey = "stripe_secret_key"
        static let stripeWebhookSecrets = "stripe_webhook_secrets"
    }

    /// A stored row, still sealed.
    struct Row: Sendable {
        var tenant: String
        var keyID: String
        var economicBaseURL: String?
        var economicAppSecretToken: Data?
        var economicAgreementGrantToken: Data?
        var stripeAPIBase: String?
        var stripeSecretKey: Data?
        var stripeWebhookSecrets: Data?
        var updatedAt: Date

        init(_ row: PGRow) throws {
            (
                tenant, keyID, economicBaseURL, economicAppSecretToken, economicAgreementGrantToken, stripeAPIBase, stripeSecretKey,
                stripeWebhookSecrets, updatedAt
            ) = try row.decode((String, String, String?, Data?, Data?, String?, Data?, Data?, Date).self)
        }
    }

    private func open(_ row: Row) throws -> TenantConnections {
        let tenant = try TenantID(row.tenant)
        func open(_ data: Data, _ field: String) throws(CredentialError) -> Secret {
            Secret(try cipher.open(data, keyID: row.keyID, tenant: tenant, field: field))
        }
        var connections = TenantConnections(tenant: tenant, updatedAt: row.updatedAt, keyID: row.keyID)
        if let url = row.economicBaseURL, let app = row.economicAppSecretToken, let grant = row.economicAgreementGrantToken {
            connections.economic = TenantConnections.Economic(
                baseURL: url, appSecretToken: try open(app, Field.economicAppSecretToken),
                agreementGrantToken: try open(grant, Field.economicAgreementGrantToken))
        }
        if let base = row.stripeAPIBase, let key = row.stripeSecretKey {
            var webhookSecrets: [Secret] = []
            if let sealed = row.stripeWebhookSecrets {
                let json = try open(sealed, Field.stripeWebhookSecrets).revealed
                guard let list = try? JSONDecoder().decode([String].self, from: Data(json.utf8)) else {
                    throw CredentialError(
                        code: .decryptionFailed, message: "the webhook secrets of tenant \(tenant) are not a JSON list", tenant: tenant)
                }
                webhookSecrets = list.map(Secret.init)
            }
            connections.stripe = TenantConnections.Stripe(
                apiBase: base, secretKey: try open(key, Field.stripeSecretKey), webhookSecrets: webhookSecrets)
        }
        return connections
    }

    /// Runs a database call, turning database errors into ``CredentialError`` (other errors pass through).
    private func database<Result>(_ tenant: TenantID?, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as PGError where error.sqlState == .foreignKeyViolation {
            throw CredentialError(
                code: .unknownTenant, message: "tenant \(tenant.map(\.rawValue) ?? "?") does not exist", tenant: tenant, underlying: error)
        } catch let error as PGError {
            throw CredentialError(code: .database, message: "the credentials' database call failed", tenant: tenant, underlying: error)
        }
    }
}
