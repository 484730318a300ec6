public import EventStore
public import Foundation
import PGClient
public import Projections
public import SyncDomain
public import SyncEngine

/// What the API and the web pages read, always inside one tenant's scope (`pool.withTransaction(scope:
/// .tenant(t))`), so row-level security limits every query to that tenant whatever its `WHERE` says.
///
/// Read models are decoded into the projections' own row types (`to_jsonb(row)`), so a column added to a
/// projection needs no change here.
public struct TenantReadModels: Sendable {
    let store: EventStore
    var pool: PGConnectionPool { store.pool }

    /// Makes the queries.
    public init(store: EventStore) { self.store = store }

    // MARK: Overview

    /// The numbers on the overview page.
    public struct Overview: Codable, Sendable, Hashable {
        /// Linked pairs being synchronised.
        public var synchronised: Int
        /// Linked pairs whose synchronisation is stopped.
        public var stopped: Int
        /// Linked pairs with at least one open conflict.
        public var conflicts: Int
        /// Open conflicting fields in all.
        public var conflictingFields: Int
        /// Source (Stripe and file) customers without a partner.
        public var unpartneredSource: Int
        /// e-conomic customers without a partner.
        public var unpartneredEconomic: Int
        /// Customers whose automatic match or mapping failed.
        public var matchFailures: Int
        /// Partners being created.
        public var pendingCreations: Int
        /// Outbound requests that failed (retrying) or were abandoned.
        public var outboundFailures: Int
        /// Webhook deliveries waiting to be processed.
        public var inboxPending: Int
        /// Webhook deliveries that failed for good.
        public var inboxFailed: Int
        /// Customers excluded from synchronisation.
        public var excluded: Int
        /// Set while the tenant's matching waits for its match index to be rebuilt after a change of match fields:
        /// new customers are neither matched nor created until then (absent otherwise).
        public var matchingHold: MatchingHold? = nil
    }

    /// The overview counts.
    /// - Throws: database errors.
    public func overview(_ tenant: TenantID) async throws -> Overview {
        let (counts, hold) = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            (
                try await connection.query(
                    """
                    SELECT
                      (SELECT count(*) FROM partner_links WHERE NOT stopped),
                      (SELECT count(*) FROM partner_links WHERE stopped),
                      (SELECT count(DISTINCT link_id) FROM conflicts),
                      (SELECT count(*) FROM conflicts),
                      (SELECT count(*) FROM unpartnered WHERE side = 'source'),
                      (SELECT count(*) FROM unpartnered WHERE side = 'economic'),
                      (SELECT count(*) FROM customers WHERE NOT deleted AND (match_failure IS NOT NULL OR mapping_failure IS NOT NULL)),
                      (SELECT count(*) FROM pending_creations),
                      (SELECT count(*) FROM webhook_inbox WHERE status = 'pending'),
                      (SELECT count(*) FROM webhook_inbox WHERE status = 'failed'),
                      (SELECT count(*) FROM customers WHERE excluded AND NOT deleted)
                    """
                ).decode((Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int).self),
                try await MatchingHold.current(of: tenant, store: store, on: connection)
            )
        }
        let outbound = try await outboundProblems(tenant).count
        let c = counts[0]
        return Overview(
            synchronised: c.0, stopped: c.1, conflicts: c.2, conflictingFields: c.3, unpartneredSource: c.4, unpartneredEconomic: c.5,
            matchFailures: c.6, pendingCreations: c.7, outboundFailures: outbound, inboxPending: c.8, inboxFailed: c.9, excluded: c.10,
            matchingHold: hold)
    }

    // MARK: Customers

    /// Which customers a list shows.
    public struct CustomerFilter: Sendable, Hashable {
        /// `source` (Stripe and file), `economic`, `stripe` or `file`; nil for all.
        public var side: String?
        /// Text contained in the name, e-mail or id (case-insensitive).
        public var search: String?
        /// Include deleted customers.
        public var includeDeleted: Bool
        /// The most rows.
        public var limit: Int
        /// Rows to skip.
        public var offset: Int

        /// Makes a filter.
        public init(side: String? = nil, search: String? = nil, includeDeleted: Bool = false, limit: Int = 50, offset: Int = 0) {
            self.side = side
            self.search = search
            self.includeDeleted = includeDeleted
            self.limit = limit
            self.offset = offset
        }

        /// The systems a side names; nil when the side is unknown.
        static func systems(ofSide side: String?) -> [String]? {
            switch side {
            case nil: return System.allCases.map(\.rawValue)
            case "source": return [System.stripe.rawValue, System.file.rawValue]
            case let side?: return System(rawValue: side).map { [$0.rawValue] }
            }
        }
    }

    /// A page of customers, ordered by name, and how many match in all.
    /// - Throws: database errors.
    public func customers(_ tenant: TenantID, filter: CustomerFilter) async throws -> (rows: [CustomerRow], total: Int) {
        let systems = CustomerFilter.systems(ofSide: filter.side) ?? []
        let pattern = filter.search.map { "%" + Self.escapeLike($0) + "%" } ?? "%"
        let (rows, total) = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            let condition: PGQuery = """
                system = ANY(\(systems)::text[]) AND (\(filter.includeDeleted) OR NOT deleted)
                AND (coalesce(name, '') ILIKE \(pattern) OR coalesce(email, '') ILIKE \(pattern) OR external_id ILIKE \(pattern))
                """
            let rows = try await connection.query(
                """
                SELECT to_jsonb(c) FROM customers c WHERE \(condition)
                ORDER BY lower(coalesce(name, '')), system, external_id LIMIT \(filter.limit) OFFSET \(filter.offset)
                """
            ).decode((PGJSON).self)
            let total = try await connection.query("SELECT count(*) FROM customers WHERE \(condition)").singleValue(Int.self) ?? 0
            return (rows, total)
        }
        return (try rows.map { try ProjectionJSON.decode(CustomerRow.self, from: $0) }, total)
    }

    /// One customer, or nil when this tenant has no such customer.
    /// - Throws: database errors.
    public func customer(_ tenant: TenantID, _ ref: CustomerRef) async throws -> CustomerRow? {
        try await customers(tenant, refs: [ref]).first
    }

    /// Several customers by reference (missing ones are left out).
    /// - Throws: database errors.
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

    /// Customers without a partner on one side (`source` or `economic`), by name.
    /// - Throws: database errors.
    public func unpartnered(_ tenant: TenantID, side: String, limit: Int, offset: Int) async throws -> (rows: [UnpartneredRow], total: Int) {
        let (rows, total) = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            let rows = try await connection.query(
                """
                SELECT to_jsonb(u) FROM unpartnered u WHERE side = \(side)
                ORDER BY lower(coalesce(name, '')), system, external_id LIMIT \(limit) OFFSET \(offset)
                """
            ).decode((PGJSON).self)
            let total = try await connection.query("SELECT count(*) FROM unpartnered WHERE side = \(side)").singleValue(Int.self) ?? 0
            return (rows, total)
        }
        return (try rows.map { try ProjectionJSON.decode(UnpartneredRow.self, from: $0) }, total)
    }

    /// Customers whose last automatic match or mapping failed (not deleted), by name.
    /// - Throws: database errors.
    public func matchFailures(_ tenant: TenantID, limit: Int, offset: Int) async throws -> [CustomerRow] {
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                SELECT to_jsonb(c) FROM customers c WHERE NOT deleted AND (match_failure IS NOT NULL OR mapping_failure IS NOT NULL)
                ORDER BY lower(coalesce(name, '')), system, external_id LIMIT \(limit) OFFSET \(offset)
                """
            ).decode((PGJSON).self)
        }
        return try rows.map { try ProjectionJSON.decode(CustomerRow.self, from: $0) }
    }

    // MARK: Partnering

    /// Linked pairs (newest first).
    /// - Throws: database errors.
    public func links(_ tenant: TenantID, limit: Int, offset: Int) async throws -> (rows: [PartnerLinkRow], total: Int) {
        let (rows, total) = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            let rows = try await connection.query(
                "SELECT to_jsonb(l) FROM partner_links l ORDER BY linked_at DESC, link_id LIMIT \(limit) OFFSET \(offset)"
            ).decode((PGJSON).self)
            let total = try await connection.query("SELECT count(*) FROM partner_links").singleValue(Int.self) ?? 0
            return (rows, total)
        }
        return (try rows.map { try ProjectionJSON.decode(PartnerLinkRow.self, from: $0) }, total)
    }

    /// One link, or nil.
    /// - Throws: database errors.
    public func link(_ tenant: TenantID, _ id: LinkID) async throws -> PartnerLinkRow? {
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query("SELECT to_jsonb(l) FROM partner_links l WHERE link_id = \(id.description)").decode((PGJSON).self)
        }
        return try rows.first.map { try ProjectionJSON.decode(PartnerLinkRow.self, from: $0) }
    }

    /// Several links by id (missing ones are left out).
    /// - Throws: database errors.
    public func links(_ tenant: TenantID, ids: [String]) async throws -> [PartnerLinkRow] {
        guard !ids.isEmpty else { return [] }
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query("SELECT to_jsonb(l) FROM partner_links l WHERE link_id = ANY(\(ids)::text[])").decode((PGJSON).self)
        }
        return try rows.map { try ProjectionJSON.decode(PartnerLinkRow.self, from: $0) }
    }

    /// Open conflicts, by link then field; for one link when given.
    /// - Throws: database errors.
    public func conflicts(_ tenant: TenantID, link: LinkID? = nil) async throws -> [ConflictRow] {
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                SELECT to_jsonb(c) FROM conflicts c WHERE (\(link?.description)::text IS NULL OR link_id = \(link?.description))
                ORDER BY since, link_id, field
                """
            ).decode((PGJSON).self)
        }
        return try rows.map { try ProjectionJSON.decode(ConflictRow.self, from: $0) }
    }

    /// Partners being created, oldest first.
    /// - Throws: database errors.
    public func pendingCreations(_ tenant: TenantID) async throws -> [PendingCreationRow] {
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query("SELECT to_jsonb(p) FROM pending_creations p ORDER BY requested_at, request_id").decode((PGJSON).self)
        }
        return try rows.map { try ProjectionJSON.decode(PendingCreationRow.self, from: $0) }
    }

    // MARK: Outbound

    /// An outbound request whose last outcome is a failure.
    public struct OutboundProblem: Codable, Sendable, Hashable {
        /// The request.
        public var requestID: String
        /// `failed` (will be retried) or `abandoned` (retried only by command).
        public var state: String
        /// What was asked (`EconomicWriteRequested` or `StripeWriteRequested`).
        public var requestType: String
        /// The customer concerned, when the request names one.
        public var customer: String?
        /// Attempts made.
        public var attempts: Int
        /// The error, as the outside system stated it.
        public var error: String
        /// When the next automatic attempt is due (failed only).
        public var retryAt: Date?
        /// When the outcome was recorded.
        public var at: Date

        enum CodingKeys: String, CodingKey { case requestID = "requestId", state, requestType, customer, attempts, error, retryAt, at }
    }

    /// Outbound requests whose latest outcome is a failure or an abandonment (read from the log: the outbound
    /// worker keeps no read model of its own).
    /// - Throws: database errors, or a decoding error for a corrupt event.
    public func outboundProblems(_ tenant: TenantID) async throws -> [OutboundProblem] {
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                WITH last AS (
                    SELECT DISTINCT ON (stream_id) stream_id, type, schema_version, data, recorded_at FROM events
                    WHERE tenant_id = \(tenant.rawValue) AND stream_id LIKE 'outbound-%'
                    ORDER BY stream_id, stream_version DESC)
                SELECT l.type, l.schema_version, l.data, l.recorded_at, f.type, f.schema_version, f.data
                FROM last l JOIN events f ON f.tenant_id = \(tenant.rawValue) AND f.stream_id = l.stream_id AND f.stream_version = 1
                WHERE l.type IN ('OutboundFailed', 'OutboundAbandoned')
                ORDER BY l.recorded_at DESC
                """
            ).decode((String, Int, PGJSON, Date, String, Int, PGJSON).self)
        }
        return try rows.compactMap { lastType, lastVersion, lastData, at, firstType, firstVersion, firstData in
            let last = try SyncEvent.decode(type: lastType, schemaVersion: lastVersion, data: Data(lastData.text.utf8))
            let first = try SyncEvent.decode(type: firstType, schemaVersion: firstVersion, data: Data(firstData.text.utf8))
            var customer: String?
            switch first {
            case .economicWriteRequested(let write): customer = write.source?.description
            case .stripeWriteRequested(let write): customer = CustomerRef.stripe(write.customerId).description
            default: break
            }
            switch last {
            case .outboundFailed(let failed):
                return OutboundProblem(
                    requestID: failed.requestId.description, state: "failed", requestType: firstType, customer: customer, attempts: failed.attempt,
                    error: failed.error.description, retryAt: failed.retryAt, at: at)
            case .outboundAbandoned(let abandoned):
                return OutboundProblem(
                    requestID: abandoned.requestId.description, state: "abandoned", requestType: firstType, customer: customer,
                    attempts: abandoned.attempts, error: abandoned.error.description, retryAt: nil, at: at)
            default:
                return nil
            }
        }
    }

    // MARK: History

    /// A customer's stream, in order.
    /// - Throws: ``EventStore/EventStoreError``.
    public func history(_ tenant: TenantID, _ ref: CustomerRef, limit: Int = 10_000) async throws -> [RecordedEvent] {
        try await store.readStream(try StreamID(StreamName.customer(ref).rawValue), of: tenant, limit: limit)
    }

    // MARK: Webhook inbox

    /// The tenant's most recent webhook deliveries.
    public func inbox(_ tenant: TenantID, limit: Int) async throws -> [WebhookInbox.Entry] {
        try await WebhookInbox(pool: pool).recent(tenant, limit: limit)
    }

    /// `%`, `_` and `\` escaped for `LIKE`.
    static func escapeLike(_ text: String) -> String {
        var result = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
