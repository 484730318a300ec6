import Ingest
public import PGClient

/// ``ServerHealth`` from PostgreSQL: `SELECT 1` on a pooled connection, and the webhook inbox's backlog.
public struct PostgresServerHealth: ServerHealth {
    let pool: PGConnectionPool

    /// Makes the probe over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// Whether `SELECT 1` answers 1.
    /// - Throws: ``PGClient/PGError`` when no connection can be had or the statement fails.
    public func databaseAnswers() async throws -> Bool {
        try await pool.withConnection { try await $0.query("SELECT 1").singleValue(Int.self) } == 1
    }

    /// Pending deliveries across tenants.
    /// - Throws: ``PGClient/PGError``.
    public func inboxBacklog() async throws -> Int {
        try await WebhookInbox(pool: pool).backlog()
    }
}
