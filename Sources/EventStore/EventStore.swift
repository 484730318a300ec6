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
    /// Queues concurrent appends into shared transactions; nil when each append commits alone.
    let combiner: AppendCombiner?
    /// Notifies subscribers of the store's committed appends.
    let notifier: CommitNotifier

    /// Makes a store over a pool.
    /// - Parameter commitSharing: whether appends that wait at the same time share a transaction and its commit.
    public init(pool: PGConnectionPool, logger: Logger, commitSharing: CommitSharing = .standard) {
        self.init(pool: pool, logger: logger, commitSharing: commitSharing, notifier: CommitNotifier(pool: pool, logger: logger))
    }

    private init(pool: PGConnectionPool, logger: Logger, commitSharing: CommitSharing, notifier: CommitNotifier) {
        self.pool = pool
        self.logger = logger
        self.notifier = notifier
        switch commitSharing {
        case .off:
            self.combiner = nil
        case .on(let flushers):
            let alone = EventStore(pool: pool, logger: logger, commitSharing: .off, notifier: notifier)
            self.combiner = AppendCombiner(maxUnits: 256, flushers: max(1, flushers)) { units in await alone.runShared(units) }
        }
    }

    static let columns = "global_position, txid, tenant_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at"

    static func decodeEvent(_ row: PGRow) throws -> RecordedEvent { try decodeEvent(row, offset: 0) }

    static func decodeEvent(_ row: PGRow, offset: Int) throws -> RecordedEvent {
        let position = try row.decode(column: offset, as: Int64.self)
        let txid = try row.decode(column: offset + 1, as: UInt64.self)
        let tenant = try row.decode(column: offset + 2, as: String.self)
        let stream = try row.decode(column: offset + 3, as: String.self)
        let version = try row.decode(column: offset + 4, as: Int64.self)
        let type = try row.decode(column: offset + 5, as: String.self)
        let schemaVersion = try row.decode(column: offset + 6, as: Int32.self)
        let data = try row.decode(column: offset + 7, as: PGJSON.self)
        let metadata = try row.decode(column: offset + 8, as: PGJSON.self)
        let recordedAt = try row.decode(column: offset + 9, as: Date.self)
        return RecordedEvent(
            globalPosition: position, transactionID: txid, tenant: try TenantID(tenant), stream: try StreamID(stream),
            streamVersion: version, type: type, schemaVersion: schemaVersion, data: data, metadata: metadata, recordedAt: recordedAt)
    }
}
