import PGClient

extension EventStore {
    /// For each of a tenant's streams whose name starts with `prefix`, the type of its latest event among `types`
    /// (streams with none of them are absent) — e.g. whether each e-conomic customer was last observed or deleted —
    /// read from the log itself, in the tenant's scope, so it holds on a database where no projector has run yet.
    ///
    /// Cost: every event of the tenant's matching streams is visited (`starts_with` keeps the match independent of
    /// the database's collation, so it is a filter over the tenant's part of the stream index, not a range). Meant
    /// for occasional full reconciliations, not for every request.
    /// - Throws: ``EventStoreError``.
    public func latestTypes(inStreamsStartingWith prefix: String, among types: [String], of tenant: TenantID) async throws -> [StreamID: String] {
        do {
            let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
                try await connection.query(
                    """
                    SELECT DISTINCT ON (stream_id) stream_id, type FROM events
                    WHERE tenant_id = \(tenant.rawValue) AND starts_with(stream_id, \(prefix)) AND type = ANY(\(types)::text[])
                    ORDER BY stream_id, stream_version DESC
                    """
                ).decode((String, String).self)
            }
            var result: [StreamID: String] = [:]
            for (stream, type) in rows { result[try StreamID(stream)] = type }
            return result
        } catch {
            throw EventStoreError.from(error, tenant: tenant, stream: nil)
        }
    }
}
