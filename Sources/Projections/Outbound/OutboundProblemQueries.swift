public import EventStore
import Foundation
public import PGClient
import SyncDomain

/// Which outbound requests of a tenant last failed or wait for a rate limit: the requests are found, paged and counted
/// in the outbound queue's read model (`outbound_requests`, projected by the outbound worker's
/// `OutboundRequestsProjector`: indexed by tenant, status and time), and each one of the page is told from its
/// `outbound-<id>` stream's first event (the request) and last (its latest outcome). Reading every outbound stream of
/// the log instead grew with every request a tenant ever sent (and ran on every overview).
public struct OutboundProblemQueries: Sendable {
    let pool: PGConnectionPool

    /// The statuses that count as failures: failed and waiting for the next attempt, abandoned.
    static let failures = ["failed_waiting", "abandoned"]
    /// The queue statuses listed: the failures, and waiting for a rate limit.
    static let statuses = failures + ["rate_limited"]

    /// Makes the query over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// A page of the requests whose latest outcome is a failure, an abandonment or a wait for the rate limit, most
    /// recent first, and how many there are in all. With `search`, only the requests concerning a customer whose name,
    /// e-mail or id contains it (the customer written or created from, or either customer of the pair written for).
    /// - Throws: ``PGError``, or a decoding error for a corrupt event (never skipped).
    public func problems(_ tenant: TenantID, search: String? = nil, limit: Int, offset: Int) async throws -> (problems: [OutboundProblem], total: Int) {
        let concerning = Self.concerning(search)
        let (rows, total) = try await pool.withTransaction(scope: .tenant(tenant), isolation: .repeatableRead) { connection in
            let rows = try await connection.query(
                """
                WITH page AS MATERIALIZED (
                    SELECT request_id, updated_at FROM outbound_requests q
                    WHERE tenant_id = \(tenant.rawValue) AND status = ANY(\(Self.statuses)::text[]) AND \(concerning)
                    ORDER BY updated_at DESC, request_id LIMIT \(limit) OFFSET \(offset))
                SELECT l.type, l.schema_version, l.data, l.recorded_at, f.type, f.schema_version, f.data
                FROM page p
                CROSS JOIN LATERAL (
                    SELECT type, schema_version, data, recorded_at FROM events
                    WHERE tenant_id = \(tenant.rawValue) AND stream_id = 'outbound-' || p.request_id
                    ORDER BY stream_version DESC LIMIT 1) l
                JOIN events f ON f.tenant_id = \(tenant.rawValue) AND f.stream_id = 'outbound-' || p.request_id AND f.stream_version = 1
                ORDER BY p.updated_at DESC, p.request_id
                """
            ).decode((String, Int, PGJSON, Date, String, Int, PGJSON).self)
            let total = try await connection.query(
                """
                SELECT count(*) FROM outbound_requests q
                WHERE tenant_id = \(tenant.rawValue) AND status = ANY(\(Self.statuses)::text[]) AND \(concerning)
                """
            ).singleValue(Int.self) ?? 0
            return (rows, total)
        }
        // A request that has moved on since the queue row was read (its newest event is no longer a problem) is left out.
        let problems = try rows.compactMap { lastType, lastVersion, lastData, at, firstType, firstVersion, firstData in
            let last = try SyncEvent.decode(type: lastType, schemaVersion: lastVersion, data: Data(lastData.text.utf8))
            let first = try SyncEvent.decode(type: firstType, schemaVersion: firstVersion, data: Data(firstData.text.utf8))
            return OutboundProblem(request: first, outcome: last, at: at)
        }
        return (problems, total)
    }

    /// SQL: the request `q` concerns a customer whose name, e-mail or id contains the searched text (`TRUE` for no
    /// search).
    static func concerning(_ search: String?) -> PGQuery {
        guard search != nil else { return "TRUE" }
        let pattern = CustomerFilter.likePattern(search)
        let named = CustomerFilter.textCondition(search)
        return """
            (q.customer_number::text ILIKE \(pattern) OR coalesce(q.stripe_customer_id, '') ILIKE \(pattern) OR coalesce(q.source, '') ILIKE \(pattern)
             OR q.link_id IN (SELECT l.link_id FROM partner_links l WHERE \(PartnerLinkQueries.pairFound(search)))
             OR q.source IN (SELECT system || ':' || external_id FROM customers WHERE \(named))
             OR q.stripe_customer_id IN (SELECT external_id FROM customers WHERE system = 'stripe' AND \(named))
             OR q.customer_number::text IN (SELECT external_id FROM customers WHERE system = 'economic' AND \(named)))
            """
    }

    /// How many of the tenant's requests failed (waiting for their next attempt, or abandoned), in the caller's
    /// transaction: the overview's count (a wait for a rate limit is not a failure).
    public static func failureCount(of tenant: TenantID, on connection: PGConnection) async throws -> Int {
        try await connection.query(
            "SELECT count(*) FROM outbound_requests WHERE tenant_id = \(tenant.rawValue) AND status = ANY(\(Self.failures)::text[])"
        ).singleValue(Int.self) ?? 0
    }
}
