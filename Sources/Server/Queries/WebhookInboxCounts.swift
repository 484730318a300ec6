import PGClient

/// The webhook inbox's numbers on the overview page, read in the caller's transaction (in a tenant's scope, so
/// they are that tenant's), next to the read models' counts.
enum WebhookInboxCounts {
    /// Deliveries waiting to be processed, and deliveries that failed for good.
    static func counts(on connection: PGConnection) async throws -> (pending: Int, failed: Int) {
        let row = try await connection.query(
            """
            SELECT (SELECT count(*) FROM webhook_inbox WHERE status = 'pending'), (SELECT count(*) FROM webhook_inbox WHERE status = 'failed')
            """
        ).decode((Int, Int).self)[0]
        return (row.0, row.1)
    }
}
