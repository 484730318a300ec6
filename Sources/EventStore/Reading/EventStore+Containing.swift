public import PGClient

extension EventStore {
    /// The events of one stream whose payload contains any of `documents` (JSON containment, `data @> document`),
    /// optionally only of some types, in version order, inside the caller's transaction — e.g. the events of a
    /// tenant's `partners` stream that name one customer or one link.
    ///
    /// Cost: the stream is read through the `(tenant_id, stream_id, stream_version)` index and the containment is a
    /// filter on each of its events (the log has no index on payloads), so it visits the whole stream once but
    /// returns only what matches. Meant for reads about one customer, not for every request of a batch.
    /// - Parameters:
    ///   - documents: JSON objects; an event matches when its payload contains at least one. None: no events.
    ///   - types: Stored type names to keep (all when empty).
    /// - Throws: ``EventStoreError``.
    public func readStream(
        _ stream: StreamID, of tenant: TenantID, containingAny documents: [PGJSON], types: [String] = [], on connection: PGConnection
    ) async throws -> [RecordedEvent] {
        guard !documents.isEmpty else { return [] }
        do {
            let rows = try await connection.query(
                """
                SELECT \(unsafeRaw: Self.columns) FROM events
                WHERE tenant_id = \(tenant.rawValue) AND stream_id = \(stream.rawValue)
                  AND data @> ANY(\(documents.map(\.text))::text[]::jsonb[])
                  AND (cardinality(\(types)::text[]) = 0 OR type = ANY(\(types)::text[]))
                ORDER BY stream_version
                """)
            return try rows.map(Self.decodeEvent)
        } catch {
            throw EventStoreError.from(error, tenant: tenant, stream: stream)
        }
    }
}
