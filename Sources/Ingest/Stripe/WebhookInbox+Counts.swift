public import PGClient

extension WebhookInbox {
    /// The inbox's numbers on the overview page, read in the caller's transaction (in a tenant's scope, so they are
    /// that tenant's, and from the same snapshot as the read models' counts next to them).
    /// - Returns: deliveries waiting to be processed, and deliveries that failed for good.
    /// - Throws: ``PGClient/PGError``.
    public static func counts(on connection: PGConnection) async throws -> (pending: Int, failed: Int) {
        let row = try await connection.query(countsStatement).decode((Int, Int).self)[0]
        return (row.0, row.1)
    }

    /// Both counts in one statement, each read from a partial index (`webhook_inbox_due_by_tenant`,
    /// `webhook_inbox_failed`): every `/metrics` scrape and overview page runs it, and the table keeps every delivery
    /// for the retention period.
    static let countsStatement: PGQuery = """
        SELECT (SELECT count(*) FROM webhook_inbox WHERE status = 'pending'), (SELECT count(*) FROM webhook_inbox WHERE status = 'failed')
        """
}
