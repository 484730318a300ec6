public import EventStore
import Foundation
public import PGClient
import SyncDomain

/// Which outbound requests of a tenant last failed or wait for a rate limit, read from the log: each `outbound-<id>` stream's first
/// event (the request) and last (its latest outcome). The outbound worker's own queue is not read here, so the
/// answer does not wait for a projection to catch up.
public struct OutboundProblemQueries: Sendable {
    let pool: PGConnectionPool

    /// Makes the query over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// Requests whose latest outcome is a failure, an abandonment or a wait for the rate limit, most recent first.
    /// - Throws: ``PGError``, or a decoding error for a corrupt event (never skipped).
    public func problems(_ tenant: TenantID) async throws -> [OutboundProblem] {
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                WITH last AS (
                    SELECT DISTINCT ON (stream_id) stream_id, type, schema_version, data, recorded_at FROM events
                    WHERE tenant_id = \(tenant.rawValue) AND stream_id LIKE 'outbound-%'
                    ORDER BY stream_id, stream_version DESC)
                SELECT l.type, l.schema_version, l.data, l.recorded_at, f.type, f.schema_version, f.data
                FROM last l JOIN events f ON f.tenant_id = \(tenant.rawValue) AND f.stream_id = l.stream_id AND f.stream_version = 1
                WHERE l.type IN ('OutboundFailed', 'OutboundAbandoned', 'OutboundRateLimited')
                ORDER BY l.recorded_at DESC
                """
            ).decode((String, Int, PGJSON, Date, String, Int, PGJSON).self)
        }
        return try rows.compactMap { lastType, lastVersion, lastData, at, firstType, firstVersion, firstData in
            let last = try SyncEvent.decode(type: lastType, schemaVersion: lastVersion, data: Data(lastData.text.utf8))
            let first = try SyncEvent.decode(type: firstType, schemaVersion: firstVersion, data: Data(firstData.text.utf8))
            return OutboundProblem(request: first, outcome: last, at: at)
        }
    }
}
