public import EventStore
import Foundation
public import PGClient
public import SyncDomain

/// The questions asked of the `customers` and `unpartnered` read models: the API's and the pages' lists, and the
/// facts the command side needs that the streams cannot answer cheaply (who has no partner, which customer
/// numbers are taken).
///
/// Each runs in one tenant's scope, through the reader-facing views, so row-level security limits it to that
/// tenant whatever its `WHERE` says. Rows are decoded whole (`to_jsonb`), so a column added to the projection
/// needs no change here. ``ReferenceReadModels`` answers the same questions from the in-memory fold.
public struct CustomerQueries: Sendable {
    /// The numbers on the overview page that come from these tables.
    public struct Counts: Sendable, Hashable {
        /// Source (Stripe and file) customers without a partner.
        public var unpartneredSource: Int
        /// e-conomic customers without a partner.
        public var unpartneredEconomic: Int
        /// Customers (not deleted) whose automatic match or mapping failed.
        public var failures: Int
        /// Customers (not deleted) excluded from synchronisation.
        public var excluded: Int

        /// Makes counts.
        public init(unpartneredSource: Int, unpartneredEconomic: Int, failures: Int, excluded: Int) {
            self.unpartneredSource = unpartneredSource
            self.unpartneredEconomic = unpartneredEconomic
            self.failures = failures
            self.excluded = excluded
        }
    }

    let pool: PGConnectionPool

    /// Makes the queries over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// A page of customers, ordered by name, and how many match in all.
    /// - Throws: ``PGError``, or a decoding error for a row that does not fit ``CustomerRow``.
    public func page(_ tenant: TenantID, filter: CustomerFilter) async throws -> (rows: [CustomerRow], total: Int) {
        let systems = CustomerFilter.systems(ofSide: filter.side) ?? []
        return try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            let condition: PGQuery = """
                system = ANY(\(systems)::text[]) AND (\(filter.includeDeleted) OR NOT deleted) AND \(CustomerFilter.textCondition(filter.search))
                """
            let rows = try await connection.query(
                """
                SELECT to_jsonb(c) FROM customers c WHERE \(condition)
                ORDER BY lower(coalesce(name, '')), system, external_id LIMIT \(filter.limit) OFFSET \(filter.offset)
                """
            ).decode((PGJSON).self)
            let total = try await connection.query("SELECT count(*) FROM customers WHERE \(condition)").singleValue(Int.self) ?? 0
            return (try rows.map { try ProjectionJSON.decode(CustomerRow.self, from: $0) }, total)
        }
    }

    /// Several customers by reference, in no particular order (unknown ones are left out).
    /// - Throws: ``PGError``, or a decoding error.
    public func customers(_ tenant: TenantID, refs: [CustomerRef]) async throws -> [CustomerRow] {
        guard !refs.isEmpty else { return [] }
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                SELECT to_jsonb(c) FROM customers c
                WHERE (system, external_id) IN (SELECT * FROM unnest(\(refs.map(\.system.rawValue))::text[], \(refs.map(\.id))::text[]))
                """
            ).decode((PGJSON).self)
        }
        return try rows.map { try ProjectionJSON.decode(CustomerRow.self, from: $0) }
    }

    /// Customers without a partner on one side (`source` or `economic`), by name, and how many there are; with `search`,
    /// only those whose name, e-mail or id contains it (as ``CustomerFilter/search``).
    /// - Throws: ``PGError``, or a decoding error.
    public func unpartnered(_ tenant: TenantID, side: String, search: String? = nil, limit: Int, offset: Int) async throws
        -> (rows: [UnpartneredRow], total: Int)
    {
        try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            let condition: PGQuery = "side = \(side) AND \(CustomerFilter.textCondition(search))"
            let rows = try await connection.query(
                """
                SELECT to_jsonb(u) FROM unpartnered u WHERE \(condition)
                ORDER BY lower(coalesce(name, '')), system, external_id LIMIT \(limit) OFFSET \(offset)
                """
            ).decode((PGJSON).self)
            let total = try await connection.query("SELECT count(*) FROM unpartnered WHERE \(condition)").singleValue(Int.self) ?? 0
            return (try rows.map { try ProjectionJSON.decode(UnpartneredRow.self, from: $0) }, total)
        }
    }

    /// Customers (not deleted) whose last automatic match or mapping failed, by name; with `search`, only those whose
    /// name, e-mail or id contains it.
    /// - Throws: ``PGError``, or a decoding error.
    public func failures(_ tenant: TenantID, search: String? = nil, limit: Int, offset: Int) async throws -> (rows: [CustomerRow], total: Int) {
        let (rows, total) = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            let condition: PGQuery = """
                NOT deleted AND (match_failure IS NOT NULL OR mapping_failure IS NOT NULL) AND \(CustomerFilter.textCondition(search))
                """
            let rows = try await connection.query(
                """
                SELECT to_jsonb(c) FROM customers c WHERE \(condition)
                ORDER BY lower(coalesce(name, '')), system, external_id LIMIT \(limit) OFFSET \(offset)
                """
            ).decode((PGJSON).self)
            let total = try await connection.query("SELECT count(*) FROM customers WHERE \(condition)").singleValue(Int.self) ?? 0
            return (rows, total)
        }
        return (try rows.map { try ProjectionJSON.decode(CustomerRow.self, from: $0) }, total)
    }

    /// Source customers whose automatic match failed and that are still unlinked (neither excluded nor deleted): the
    /// ones a change of match fields matches again. The next `limit` after `cursor` in (system, id) order, and — when
    /// `counting` — how many there are in all.
    /// - Throws: ``PGError``.
    public func matchFailures(
        _ tenant: TenantID, after cursor: CustomerRef?, limit: Int, counting: Bool
    ) async throws -> (customers: [CustomerRef], total: Int?) {
        let condition: PGQuery = """
            system <> \(System.economic.rawValue) AND NOT deleted AND NOT excluded AND link_id IS NULL AND match_failure IS NOT NULL
            """
        let (rows, total) = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            let rows = try await connection.query(
                """
                SELECT system, external_id FROM customers WHERE \(condition)
                  AND (system, external_id) > (\(cursor?.system.rawValue ?? ""), \(cursor?.id ?? ""))
                ORDER BY system, external_id LIMIT \(limit)
                """
            ).decode((String, String).self)
            let total = counting ? try await connection.query("SELECT count(*) FROM customers WHERE \(condition)").singleValue(Int.self) : nil
            return (rows, total)
        }
        return (rows.compactMap { row in System(rawValue: row.0).map { CustomerRef(system: $0, id: row.1) } }, total)
    }

    /// The overview's counts, read in the caller's transaction (in the tenant's scope), so that a caller in a
    /// repeatable-read transaction reads them and its other counts from one snapshot.
    /// - Throws: ``PGError``.
    public static func counts(on connection: PGConnection) async throws -> Counts {
        try await connection.execute(ReadModelLock.share(CustomersProjector().tables.map(\.name)))
        let row = try await connection.query(
            """
            SELECT
              (SELECT count(*) FROM unpartnered WHERE side = 'source'),
              (SELECT count(*) FROM unpartnered WHERE side = 'economic'),
              (SELECT count(*) FROM customers WHERE NOT deleted AND (match_failure IS NOT NULL OR mapping_failure IS NOT NULL)),
              (SELECT count(*) FROM customers WHERE excluded AND NOT deleted)
            """
        ).decode((Int, Int, Int, Int).self)[0]
        return Counts(unpartneredSource: row.0, unpartneredEconomic: row.1, failures: row.2, excluded: row.3)
    }

    /// Every customer of a side that could get a partner created: no partner, no pending creation, neither
    /// excluded nor deleted (the candidates for "create partners for all"), by system and id.
    /// - Throws: ``PGError``, or a decoding error.
    public func partnerCandidates(side: System, tenant: TenantID) async throws -> [CustomerFacts] {
        let systems = side == .economic ? [System.economic.rawValue] : [System.stripe.rawValue, System.file.rawValue]
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                SELECT system, external_id, fields FROM customers
                WHERE system = ANY(\(systems)::text[]) AND link_id IS NULL AND pending_request IS NULL AND NOT excluded AND NOT deleted
                ORDER BY system, external_id
                """
            ).decode((String, String, PGJSON).self)
        }
        return try rows.map { system, id, fields in
            CustomerFacts(customer: CustomerRef(system: System(rawValue: system) ?? .file, id: id), fields: try fields.decode([String: String].self))
        }
    }

    /// Which of the given customer numbers belong to an existing (not deleted) e-conomic customer.
    /// - Throws: ``PGError``.
    public func economicNumbersInUse(among numbers: [Int], tenant: TenantID) async throws -> Set<Int> {
        guard !numbers.isEmpty else { return [] }
        let used = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                SELECT external_id FROM customers
                WHERE system = 'economic' AND NOT deleted AND external_id = ANY(\(numbers.map(String.init))::text[])
                """
            ).decode((String).self)
        }
        return Set(used.compactMap { Int($0) })
    }
}
