import EventStore
import Foundation
import PGClient
import SyncDomain

/// What the log holds about a tenant's imports: each `import-<id>` stream opens with `ImportReceived`, holds the
/// rejected rows in file order, and ends with `ImportCompleted`. Reads run in the tenant's scope (row-level
/// security), so another tenant's import is simply not there. Migration 0019 indexes the first and last events
/// of import streams, so neither a lookup nor the list scans the tenant's log.
struct ImportRecords: Sendable {
    /// An import as recorded.
    struct Record: Sendable {
        var received: ImportReceived
        var receivedAt: Date
        var completed: ImportCompleted?
    }

    let store: EventStore

    /// One import, or nil when the tenant has not recorded it.
    func record(_ id: ImportID, tenant: TenantID) async throws -> Record? {
        let stream = StreamName.importing(id).rawValue
        let rows = try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                SELECT type, schema_version, data, recorded_at FROM events
                WHERE tenant_id = \(tenant.rawValue) AND stream_id = \(stream) AND type IN ('ImportReceived', 'ImportCompleted')
                """
            ).decode((String, Int, PGJSON, Date).self)
        }
        var record: Record?
        var completed: ImportCompleted?
        for (type, schemaVersion, data, recordedAt) in rows {
            switch try SyncEvent.decode(type: type, schemaVersion: schemaVersion, data: Data(data.text.utf8)) {
            case .importReceived(let received): record = Record(received: received, receivedAt: recordedAt)
            case .importCompleted(let done): completed = done
            default: break
            }
        }
        record?.completed = completed
        return record
    }

    /// A page of an import's rejected rows in file order, and how many are recorded in all.
    /// - Parameter completed: the import's summary when it is complete (its count is the total).
    func rejections(_ id: ImportID, completed: ImportCompleted?, tenant: TenantID, limit: Int, offset: Int) async throws
        -> (rows: [ImportRowRejected], total: Int)
    {
        let stream = try StreamID(StreamName.importing(id).rawValue)
        let (events, version) = try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            // Rejections are versions 2… (after `ImportReceived`), before `ImportCompleted`.
            (
                try await store.readStream(stream, of: tenant, fromVersion: Int64(2 + offset), limit: limit, on: connection),
                try await store.streamVersion(of: stream, tenant: tenant, on: connection)
            )
        }
        let rows = try events.compactMap { event -> ImportRowRejected? in
            let decoded = try SyncEvent.decode(type: event.type, schemaVersion: Int(event.schemaVersion), data: Data(event.data.text.utf8))
            if case .importRowRejected(let rejected) = decoded { return rejected }
            return nil
        }
        return (rows, completed?.rejected ?? max(0, Int(version) - 1))
    }

    /// A page of the tenant's imports, newest first, and how many there are.
    func list(_ tenant: TenantID, limit: Int, offset: Int) async throws -> (rows: [Record], total: Int) {
        let (rows, total) = try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            (
                try await connection.query(
                    """
                    SELECT r.schema_version, r.data, r.recorded_at, c.schema_version, c.data FROM events r
                    LEFT JOIN events c ON c.tenant_id = r.tenant_id AND c.stream_id = r.stream_id AND c.type = 'ImportCompleted'
                    WHERE r.tenant_id = \(tenant.rawValue) AND r.type = 'ImportReceived'
                    ORDER BY r.global_position DESC LIMIT \(limit) OFFSET \(offset)
                    """
                ).decode((Int, PGJSON, Date, Int?, PGJSON?).self),
                try await connection.query(
                    "SELECT count(*) FROM events WHERE tenant_id = \(tenant.rawValue) AND type = 'ImportReceived'"
                ).singleValue(Int.self) ?? 0
            )
        }
        let records = try rows.map { receivedVersion, receivedData, recordedAt, completedVersion, completedData -> Record in
            let received = try ImportReceived.decode(schemaVersion: receivedVersion, from: Data(receivedData.text.utf8))
            let completed = try completedData.map { try ImportCompleted.decode(schemaVersion: completedVersion ?? 1, from: Data($0.text.utf8)) }
            return Record(received: received, receivedAt: recordedAt, completed: completed)
        }
        return (records, total)
    }
}
