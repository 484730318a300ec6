public import PGClient

/// Reading forward across streams, in `(txid, global_position)` order below the watermark, never skipping an event
/// that commits late.
extension EventStore {
    /// Reads the next events after a checkpoint, in `(txid, global_position)` order, inside the caller's
    /// transaction (system scope for all tenants; a tenant scope sees only its own).
    ///
    /// Only events whose transaction id is below the oldest transaction still running are returned, so an
    /// event that commits after a later one was read is never skipped: the reader waits for it instead.
    /// Call this first in a fresh transaction (before writing) so the transaction's own id does not hold the
    /// watermark back.
    /// - Parameters:
    ///   - checkpoint: the position of the last event already handled.
    ///   - end: the last position to return, if bounded (e.g. "up to where the live projector is").
    ///   - limit: the batch size.
    ///   - tenant: only this tenant's events, if given.
    ///   - types: only events of these types, if given (the others are skipped, not returned).
    /// - Throws: ``EventStoreError``.
    public func readForward(
        after checkpoint: Checkpoint, until end: Checkpoint? = nil, limit: Int, tenant: TenantID? = nil, types: Set<String>? = nil,
        on connection: PGConnection
    ) async throws -> [RecordedEvent] {
        var query: PGQuery = """
            SELECT \(unsafeRaw: Self.columns) FROM events
            WHERE (txid, global_position) > (\(String(checkpoint.transactionID))::xid8, \(checkpoint.globalPosition))
              AND txid < pg_snapshot_xmin(pg_current_snapshot())
            """
        if let end {
            query.append(" AND (txid, global_position) <= (\(String(end.transactionID))::xid8, \(end.globalPosition))")
        }
        if let tenant { query.append(" AND tenant_id = \(tenant.rawValue)") }
        if let types { query.append(" AND type = ANY(\(types.sorted())::text[])") }
        query.append(" ORDER BY txid, global_position LIMIT \(limit)")
        do {
            return try await connection.query(query).map(Self.decodeEvent)
        } catch {
            throw EventStoreError.from(error, tenant: tenant, stream: nil)
        }
    }

    /// A batch read for a reader that only wants some events: the events, and how far the reader may move its
    /// checkpoint — past the last event returned, or, when the batch is not full, to the newest event below the
    /// watermark (everything up to there that the reader wants was returned).
    public struct ForwardBatch: Sendable {
        /// The events wanted, in `(txid, global_position)` order.
        public var events: [RecordedEvent]
        /// Where the reader's checkpoint may move to (never behind the last event returned).
        public var readUpTo: Checkpoint
    }

    /// Reads the next batch of wanted events after a checkpoint, and the position the reader may advance to,
    /// in one statement (one snapshot), so skipping unwanted events can never skip a wanted one that commits late.
    /// - Throws: ``EventStoreError``.
    public func readForwardBatch(
        after checkpoint: Checkpoint, until end: Checkpoint? = nil, limit: Int, tenant: TenantID? = nil, types: Set<String>? = nil,
        on connection: PGConnection
    ) async throws -> ForwardBatch {
        var wanted: PGQuery = """
            SELECT \(unsafeRaw: Self.columns) FROM events
            WHERE (txid, global_position) > (\(String(checkpoint.transactionID))::xid8, \(checkpoint.globalPosition))
              AND txid < (SELECT xmin FROM watermark)
            """
        var horizon: PGQuery = "SELECT txid, global_position FROM events WHERE txid < (SELECT xmin FROM watermark)"
        if let end {
            let bound: PGQuery = " AND (txid, global_position) <= (\(String(end.transactionID))::xid8, \(end.globalPosition))"
            wanted.append(bound)
            horizon.append(bound)
        }
        if let tenant { wanted.append(" AND tenant_id = \(tenant.rawValue)") }
        if let types { wanted.append(" AND type = ANY(\(types.sorted())::text[])") }
        wanted.append(" ORDER BY txid, global_position LIMIT \(limit)")
        horizon.append(" ORDER BY txid DESC, global_position DESC LIMIT 1")
        var query: PGQuery = "WITH watermark AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin), batch AS ("
        query.append(wanted)
        query.append("), horizon AS (")
        query.append(horizon)
        query.append(
            """
            )
            SELECT false, \(unsafeRaw: Self.columns) FROM batch
            UNION ALL
            SELECT true, global_position, txid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM horizon
            """)
        do {
            // One tenant's read walks `events_tenant_txid_position` in order and stops at the limit. While a backlog
            // is appended, the statistics put the range after the checkpoint past their histogram and estimate one
            // row; the planner then preferred a bitmap scan of the whole range and a sort — every row of the
            // tenant's backlog read for each batch of 100 (26 ms a batch in an initial sync of 30,000, growing with
            // the backlog). Bitmap scans are off for this statement only.
            let rows =
                tenant == nil
                ? try await connection.query(query)
                : try await connection.pipeline([
                    "SELECT set_config('enable_bitmapscan', 'off', true)", query, "SELECT set_config('enable_bitmapscan', 'on', true)",
                ])[1]
            var events: [RecordedEvent] = []
            var newest: Checkpoint?
            for row in rows {
                if try row.decode(column: 0, as: Bool.self) {
                    newest = Checkpoint(
                        transactionID: try row.decode(column: 2, as: UInt64.self), globalPosition: try row.decode(column: 1, as: Int64.self))
                } else {
                    events.append(try Self.decodeEvent(row, offset: 1))
                }
            }
            var readUpTo = events.last?.checkpoint ?? checkpoint
            if events.count < limit, let newest, newest > readUpTo { readUpTo = newest }
            return ForwardBatch(events: events, readUpTo: readUpTo)
        } catch {
            throw EventStoreError.from(error, tenant: tenant, stream: nil)
        }
    }

    /// Reads the next events after a checkpoint across all tenants (system scope), in its own transaction.
    /// - Throws: ``EventStoreError``.
    public func readForward(after checkpoint: Checkpoint, limit: Int, tenant: TenantID? = nil) async throws -> [RecordedEvent] {
        try await pool.withTransaction(scope: .system) { connection in
            try await readForward(after: checkpoint, limit: limit, tenant: tenant, on: connection)
        }
    }
}
