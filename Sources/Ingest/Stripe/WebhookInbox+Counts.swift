public import PGClient

extension WebhookInbox {
    /// The inbox's numbers on the overview page, read in the caller's transaction (in a tenant's scope, so they are
    /// that tenant's, and from the same snapshot as the read models' counts next to them).
    /// - Returns: deliveries waiting to be processed, and deliveries that failed for good.
    /// - Throws: ``PGClient/PGError``.
    public static func counts(on connection: PGConnection) async throws -> (pending: Int, failed: Int) {
        let row = try await connection.query(
            """
            SELECT (SELECT count(*) FROM webhook_inbox WHERE status = 'pending'), (SELECT count(*) FROM webhook_inbox WHERE status = 'failed')
            """
        ).decode((Int, Int).self)[0]
        return (row.0, row.1)
    }
}
