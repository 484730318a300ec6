public import EventStore
import Foundation
public import PGClient
public import SyncDomain

/// The questions asked of the `partner_links`, `conflicts` and `pending_creations` read models: the linked pairs,
/// the open conflicts and the partners being created, as the API and the pages list them.
///
/// Each runs in one tenant's scope, through the reader-facing views (row-level security limits it to that
/// tenant). ``ReferenceReadModels`` answers the same questions from the in-memory fold.
public struct PartnerLinkQueries: Sendable {
    /// The numbers on the overview page that come from these tables.
    public struct Counts: Sendable, Hashable {
        /// Linked pairs being synchronised.
        public var synchronised: Int
        /// Linked pairs whose synchronisation is stopped.
        public var stopped: Int
        /// Linked pairs with at least one open conflict.
        public var conflictedLinks: Int
        /// Open conflicting fields in all.
        public var conflictingFields: Int
        /// Partners being created.
        public var pendingCreations: Int

        /// Makes counts.
        public init(synchronised: Int, stopped: Int, conflictedLinks: Int, conflictingFields: Int, pendingCreations: Int) {
            self.synchronised = synchronised
            self.stopped = stopped
            self.conflictedLinks = conflictedLinks
            self.conflictingFields = conflictingFields
            self.pendingCreations = pendingCreations
        }
    }

    let pool: PGConnectionPool

    /// Makes the queries over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// A page of linked pairs, newest first, and how many there are.
    /// - Throws: ``PGError``, or a decoding error for a row that does not fit ``PartnerLinkRow``.
    /// With `search`, only the pairs where either customer's name, e-mail or id contains it (as ``CustomerFilter/search``).
    public func page(_ tenant: TenantID, search: String? = nil, limit: Int, offset: Int) async throws -> (rows: [PartnerLinkRow], total: Int) {
        try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            let condition = Self.pairFound(search)
            let rows = try await connection.query(
                "SELECT to_jsonb(l) FROM partner_links l WHERE \(condition) ORDER BY linked_at DESC, link_id LIMIT \(limit) OFFSET \(offset)"
            ).decode((PGJSON).self)
            let total = try await connection.query("SELECT count(*) FROM partner_links l WHERE \(condition)").singleValue(Int.self) ?? 0
            return (try rows.map { try ProjectionJSON.decode(PartnerLinkRow.self, from: $0) }, total)
        }
    }

    /// Several links by id, in no particular order (unknown ones are left out).
    /// - Throws: ``PGError``, or a decoding error.
    public func links(_ tenant: TenantID, ids: [String]) async throws -> [PartnerLinkRow] {
        guard !ids.isEmpty else { return [] }
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query("SELECT to_jsonb(l) FROM partner_links l WHERE link_id = ANY(\(ids)::text[])").decode((PGJSON).self)
        }
        return try rows.map { try ProjectionJSON.decode(PartnerLinkRow.self, from: $0) }
    }

    /// SQL: the pair `l` (a `partner_links` row) has a customer whose name, e-mail or id contains the searched text
    /// (true for no search). Customers found by name or e-mail first (one scan), then the links of either side.
    static func pairFound(_ search: String?) -> PGQuery {
        let pattern = CustomerFilter.likePattern(search)
        return """
            \(search == nil) OR l.source ILIKE \(pattern) OR l.economic_number ILIKE \(pattern)
            OR l.source IN (SELECT system || ':' || external_id FROM customers
                            WHERE system <> 'economic' AND (coalesce(name, '') ILIKE \(pattern) OR coalesce(email, '') ILIKE \(pattern)))
            OR l.economic_number IN (SELECT external_id FROM customers
                            WHERE system = 'economic' AND (coalesce(name, '') ILIKE \(pattern) OR coalesce(email, '') ILIKE \(pattern)))
            """
    }

    /// Open conflicts, oldest first, then by link and field; only one link's when given. With `search`, only the pairs
    /// found as ``page(_:search:limit:offset:)`` finds them.
    /// - Throws: ``PGError``, or a decoding error.
    public func conflicts(_ tenant: TenantID, link: LinkID? = nil, search: String? = nil) async throws -> [ConflictRow] {
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                SELECT to_jsonb(c) FROM conflicts c WHERE (\(link?.description)::text IS NULL OR link_id = \(link?.description))
                  AND (\(search == nil) OR c.link_id IN (SELECT l.link_id FROM partner_links l WHERE \(Self.pairFound(search))))
                ORDER BY since, link_id, field
                """
            ).decode((PGJSON).self)
        }
        return try rows.map { try ProjectionJSON.decode(ConflictRow.self, from: $0) }
    }

    /// Partners being created, oldest first.
    /// - Throws: ``PGError``, or a decoding error.
    public func pendingCreations(_ tenant: TenantID) async throws -> [PendingCreationRow] {
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query("SELECT to_jsonb(p) FROM pending_creations p ORDER BY requested_at, request_id").decode((PGJSON).self)
        }
        return try rows.map { try ProjectionJSON.decode(PendingCreationRow.self, from: $0) }
    }

    /// The overview's counts, read in the caller's transaction (in the tenant's scope), so that a caller in a
    /// repeatable-read transaction reads them and its other counts from one snapshot.
    /// - Throws: ``PGError``.
    public static func counts(on connection: PGConnection) async throws -> Counts {
        try await connection.execute(ReadModelLock.share(PartnerLinksProjector().tables.map(\.name)))
        let row = try await connection.query(
            """
            SELECT
              (SELECT count(*) FROM partner_links WHERE NOT stopped),
              (SELECT count(*) FROM partner_links WHERE stopped),
              (SELECT count(DISTINCT link_id) FROM conflicts),
              (SELECT count(*) FROM conflicts),
              (SELECT count(*) FROM pending_creations)
            """
        ).decode((Int, Int, Int, Int, Int).self)[0]
        return Counts(synchronised: row.0, stopped: row.1, conflictedLinks: row.2, conflictingFields: row.3, pendingCreations: row.4)
    }
}
