import Foundation
public import Logging
public import PGClient

/// The event log on PostgreSQL: appends with optimistic concurrency, stream reads, and a forward reader
/// that never skips an event that commits late.
///
/// Appends run in a tenant-scoped transaction (row-level security), so a tenant's command can never write
/// another tenant's events. Forward reads across tenants run in the system scope, for projectors and workers.
public struct EventStore: Sendable {
    /// The channel the `events` insert trigger notifies, with the tenant id as payload.
    public static let notificationChannel = "accord_events"

    /// The pool the store's own transactions run on.
    public let pool: PGConnectionPool
    let logger: Logger

    /// Makes a store over a pool.
    public init(pool: PGConnectionPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    // MARK: Appending

    /// Appends events to a stream in their own tenant-scoped transaction, in one round trip.
    ///
    /// With ``ExpectedVersion/any`` writers to the same stream queue on a per-stream transaction lock (and a
    /// race with an exact-version writer is retried, up to five times); otherwise a stale expected version
    /// fails with ``EventStoreError/Code/concurrencyConflict`` and nothing of the batch is written.
    /// - Returns: the stream's new version and the events' global positions.
    /// - Throws: ``EventStoreError`` (`concurrencyConflict`, `unknownTenant`, `invalidEvent`, `database`).
    @discardableResult
    public func append(
        _ events: [NewEvent], to stream: StreamID, of tenant: TenantID, expecting expected: ExpectedVersion
    ) async throws -> AppendResult {
        guard !events.isEmpty else {
            return try await pool.withTransaction(scope: .tenant(tenant)) { connection in
                try await append(events, to: stream, of: tenant, expecting: expected, on: connection)
            }
        }
        var attempt = 0
        while true {
            do {
                // Scope, optional lock and insert go as one pipeline: one round trip, one implicit transaction.
                var statements = [DatabaseScope.tenant(tenant).statement]
                if expected == .any { statements.append(Self.streamLock(stream, tenant)) }
                statements.append(Self.appendStatement(events, to: stream, of: tenant, expecting: expected))
                let rows: PGRows
                do {
                    rows = try await pool.withConnection { try await $0.pipeline(statements) }.last!
                } catch {
                    throw EventStoreError.from(error, tenant: tenant, stream: stream, expected: expected)
                }
                guard rows.count == events.count else {
                    let actual = try? await pool.withTransaction(scope: .tenant(tenant)) { connection in
                        try await streamVersion(of: stream, tenant: tenant, on: connection)
                    }
                    throw conflict(stream, tenant, expected, actual: actual)
                }
                return try Self.appendResult(rows)
            } catch let error as EventStoreError where error.code == .concurrencyConflict && expected == .any && attempt < 5 {
                attempt += 1
                logger.debug("retrying an append after a race", metadata: ["event.stream": "\(stream)", "attempt": "\(attempt)"])
            }
        }
    }

    /// Appends events to a stream inside the caller's transaction (which must be scoped to the tenant, or
    /// to the system), as one statement. Use it to append to several streams atomically, or to append
    /// together with other writes.
    ///
    /// On a concurrency conflict the caller's transaction is aborted; roll it back and retry the whole unit.
    /// - Throws: ``EventStoreError``.
    @discardableResult
    public func append(
        _ events: [NewEvent], to stream: StreamID, of tenant: TenantID, expecting expected: ExpectedVersion, on connection: PGConnection
    ) async throws -> AppendResult {
        guard !events.isEmpty else {
            let version = try await streamVersion(of: stream, tenant: tenant, on: connection)
            if case .exactly(let wanted) = expected, wanted != version { throw conflict(stream, tenant, expected, actual: version) }
            if expected == .noStream, version != 0 { throw conflict(stream, tenant, expected, actual: version) }
            return AppendResult(streamVersion: version, globalPositions: [])
        }
        let rows: PGRows
        do {
            if expected == .any { try await connection.execute(Self.streamLock(stream, tenant)) }
            rows = try await connection.query(Self.appendStatement(events, to: stream, of: tenant, expecting: expected))
        } catch {
            throw EventStoreError.from(error, tenant: tenant, stream: stream, expected: expected)
        }
        guard rows.count == events.count else {
            let actual = try? await streamVersion(of: stream, tenant: tenant, on: connection)
            throw conflict(stream, tenant, expected, actual: actual)
        }
        return try Self.appendResult(rows)
    }

    /// Writers that do not care about the version queue up per stream instead of racing for the next number;
    /// the lock lasts until the transaction ends.
    static func streamLock(_ stream: StreamID, _ tenant: TenantID) -> PGQuery {
        "SELECT pg_advisory_xact_lock(hashtextextended(\(tenant.rawValue) || '/' || \(stream.rawValue), 0))"
    }

    /// One statement: check the stream's head against the expected version (-1 = any) and insert the whole
    /// batch numbered from there. A concurrent writer that inserted the same versions first makes it fail on
    /// events_stream_version_unique (23505), which becomes a concurrency conflict; a stale expected version
    /// makes it insert nothing. Payloads travel as one JSON array each (parsed once, no array-literal escaping).
    static func appendStatement(_ events: [NewEvent], to stream: StreamID, of tenant: TenantID, expecting expected: ExpectedVersion) -> PGQuery {
        let types = events.map(\.type)
        let schemaVersions = events.map(\.schemaVersion)
        var payloads = "["
        var metadata = "["
        payloads.reserveCapacity(events.reduce(2) { $0 + $1.data.text.utf8.count + 1 })
        for (index, event) in events.enumerated() {
            if index > 0 {
                payloads += ","
                metadata += ","
            }
            payloads += event.data.text
            metadata += event.metadata.json.text
        }
        payloads += "]"
        metadata += "]"
        return """
            WITH head AS (
                SELECT coalesce(max(stream_version), 0) AS version
                FROM events WHERE tenant_id = \(tenant.rawValue) AND stream_id = \(stream.rawValue)
            ), guard AS (
                SELECT version FROM head WHERE \(expected.sqlValue) < 0 OR version = \(expected.sqlValue)
            )
            INSERT INTO events (tenant_id, stream_id, stream_version, type, schema_version, data, metadata)
            SELECT \(tenant.rawValue), \(stream.rawValue), guard.version + e.ord, e.type, e.schema_version, e.data, e.metadata
            FROM guard,
                 ROWS FROM (unnest(\(types)::text[]), unnest(\(schemaVersions)::int4[]),
                            jsonb_array_elements(\(payloads)::jsonb), jsonb_array_elements(\(metadata)::jsonb))
                     WITH ORDINALITY AS e(type, schema_version, data, metadata, ord)
            ORDER BY e.ord
            RETURNING global_position, stream_version
            """
    }

    static func appendResult(_ rows: PGRows) throws -> AppendResult {
        let positions = try rows.decode((Int64, Int64).self)
        return AppendResult(streamVersion: positions.last!.1, globalPositions: positions.map(\.0))
    }

    private func conflict(_ stream: StreamID, _ tenant: TenantID, _ expected: ExpectedVersion, actual: Int64?) -> EventStoreError {
        EventStoreError(
            code: .concurrencyConflict,
            message: "stream \(stream) is at version \(actual.map(String.init) ?? "?"), not the expected \(expected)",
            tenant: tenant, stream: stream, expectedVersion: expected, actualVersion: actual)
    }

    // MARK: Reading one stream

    /// The version of a stream (0 when it has no events), read inside the caller's transaction.
    /// - Throws: ``EventStoreError`` with code `database`.
    public func streamVersion(of stream: StreamID, tenant: TenantID, on connection: PGConnection) async throws -> Int64 {
        do {
            let rows = try await connection.query(
                "SELECT coalesce(max(stream_version), 0) FROM events WHERE tenant_id = \(tenant.rawValue) AND stream_id = \(stream.rawValue)")
            return try rows.singleValue(Int64.self) ?? 0
        } catch {
            throw EventStoreError.from(error, tenant: tenant, stream: stream)
        }
    }

    /// Reads a stream's events from a version on, in their own tenant-scoped transaction.
    /// - Parameters:
    ///   - fromVersion: the first version to return (1 = from the start).
    ///   - limit: the most events to return.
    /// - Throws: ``EventStoreError``.
    public func readStream(_ stream: StreamID, of tenant: TenantID, fromVersion: Int64 = 1, limit: Int = 10_000) async throws -> [RecordedEvent] {
        try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await readStream(stream, of: tenant, fromVersion: fromVersion, limit: limit, on: connection)
        }
    }

    /// Reads a stream's events from a version on, inside the caller's transaction.
    /// - Throws: ``EventStoreError``.
    public func readStream(
        _ stream: StreamID, of tenant: TenantID, fromVersion: Int64 = 1, limit: Int = 10_000, on connection: PGConnection
    ) async throws -> [RecordedEvent] {
        do {
            let rows = try await connection.query(
                """
                SELECT \(unsafeRaw: Self.columns) FROM events
                WHERE tenant_id = \(tenant.rawValue) AND stream_id = \(stream.rawValue) AND stream_version >= \(fromVersion)
                ORDER BY stream_version LIMIT \(limit)
                """)
            return try rows.map(Self.decodeEvent)
        } catch {
            throw EventStoreError.from(error, tenant: tenant, stream: stream)
        }
    }

    // MARK: Reading forward (all streams)

    /// Reads the next events after a checkpoint, in `(txid, global_position)` order, inside the caller's
    /// transaction (system scope for all tenants; a tenant scope sees only its own).
    ///
    /// Only events whose transaction id is below the oldest transaction still running are returned, so an
    /// event that commits after a later one was read is never skipped: the reader waits for it instead.
    /// Call this first in a fresh transaction (before writing) so the transaction's own id does not hold the
    /// watermark back.
    /// - Parameters:
    ///   - checkpoint: the position of the last event already handled.
    ///   - limit: the batch size.
    ///   - tenant: only this tenant's events, if given.
    /// - Throws: ``EventStoreError``.
    public func readForward(
        after checkpoint: Checkpoint, limit: Int, tenant: TenantID? = nil, on connection: PGConnection
    ) async throws -> [RecordedEvent] {
        var query: PGQuery = """
            SELECT \(unsafeRaw: Self.columns) FROM events
            WHERE (txid, global_position) > (\(String(checkpoint.transactionID))::xid8, \(checkpoint.globalPosition))
              AND txid < pg_snapshot_xmin(pg_current_snapshot())
            """
        if let tenant { query.append(" AND tenant_id = \(tenant.rawValue)") }
        query.append(" ORDER BY txid, global_position LIMIT \(limit)")
        do {
            return try await connection.query(query).map(Self.decodeEvent)
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

    static let columns = "global_position, txid, tenant_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at"

    static func decodeEvent(_ row: PGRow) throws -> RecordedEvent {
        let (position, txid, tenant, stream, version, type, schemaVersion, data, metadata, recordedAt) = try row.decode(
            (Int64, UInt64, String, String, Int64, String, Int32, PGJSON, PGJSON, Date).self)
        return RecordedEvent(
            globalPosition: position, transactionID: txid, tenant: try TenantID(tenant), stream: try StreamID(stream),
            streamVersion: version, type: type, schemaVersion: schemaVersion, data: data, metadata: metadata, recordedAt: recordedAt)
    }
}
