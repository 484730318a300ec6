public import PGClient

/// Where a reader stands in the log: how many events lie ahead of it, and the `(txid, global_position)` checkpoint of
/// a global position — for progress lines and for reading the log as it was at a past position.
extension EventStore {
    /// How many events follow a checkpoint, up to `end` when given, only one tenant's and some types' when given.
    /// With a tenant it counts over `events_tenant_txid_position`, never every tenant's events.
    /// - Throws: ``EventStoreError``.
    public func countEvents(
        after checkpoint: Checkpoint = .origin, until end: Checkpoint? = nil, tenant: TenantID? = nil, types: Set<String>? = nil,
        on connection: PGConnection
    ) async throws -> Int {
        var query: PGQuery = """
            SELECT count(*) FROM events
            WHERE (txid, global_position) > (\(String(checkpoint.transactionID))::xid8, \(checkpoint.globalPosition))
            """
        if let end { query.append(" AND (txid, global_position) <= (\(String(end.transactionID))::xid8, \(end.globalPosition))") }
        if let tenant { query.append(" AND tenant_id = \(tenant.rawValue)") }
        if let types { query.append(" AND type = ANY(\(types.sorted())::text[])") }
        do {
            return try await connection.query(query).singleValue(Int.self) ?? 0
        } catch {
            throw EventStoreError.from(error, tenant: tenant, stream: nil)
        }
    }

    /// The end of the log as readers may read it now: the checkpoint of the last event below the oldest transaction
    /// still running (``Checkpoint/origin`` for an empty log). Reading forward `until` it never skips an event that
    /// commits later.
    /// - Throws: ``EventStoreError``.
    public func readableEnd(on connection: PGConnection) async throws -> Checkpoint {
        do {
            let row = try await connection.query(
                """
                SELECT txid, global_position FROM events WHERE txid < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY txid DESC, global_position DESC LIMIT 1
                """
            ).decode((UInt64, Int64).self).first
            return row.map { Checkpoint(transactionID: $0.0, globalPosition: $0.1) } ?? .origin
        } catch {
            throw EventStoreError.from(error, tenant: nil, stream: nil)
        }
    }

    /// The checkpoint of a tenant's event at a global position — reading forward `until` it gives the log exactly as
    /// a reader had it when it had just handled that event; `nil` when the tenant has no event there.
    /// - Throws: ``EventStoreError``.
    public func checkpoint(atPosition position: Int64, of tenant: TenantID, on connection: PGConnection) async throws -> Checkpoint? {
        do {
            let txid = try await connection.query(
                "SELECT txid FROM events WHERE tenant_id = \(tenant.rawValue) AND global_position = \(position)"
            ).singleValue(UInt64.self)
            return txid.map { Checkpoint(transactionID: $0, globalPosition: position) }
        } catch {
            throw EventStoreError.from(error, tenant: tenant, stream: nil)
        }
    }
}
