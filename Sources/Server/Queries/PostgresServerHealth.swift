import Ingest
public import PGClient

/// ``ServerHealth`` from PostgreSQL: the projection registry on a pooled connection, and the webhook inbox's backlog.
public struct PostgresServerHealth: ServerHealth {
    let pool: PGConnectionPool

    /// Makes the probe over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// Whether the registry knows projections and each has an active version (one statement).
    /// - Throws: ``PGClient/PGError`` when no connection can be had or the statement fails.
    public func readModelsBuilt() async throws -> Bool {
        try await pool.withConnection { connection in
            try await connection.query(
                "SELECT count(*) > 0 AND count(DISTINCT name) = count(DISTINCT name) FILTER (WHERE state = 'active') FROM projections"
            ).singleValue(Bool.self)
        } ?? false
    }

    /// Pending deliveries across tenants.
    /// - Throws: ``PGClient/PGError``.
    public func inboxBacklog() async throws -> Int {
        try await WebhookInbox(pool: pool).backlog()
    }
}
