public import Connectors
public import EventStore
public import Foundation
public import PGClient

/// The durable inbox of Stripe events (table `webhook_inbox`): the webhook endpoint records verified deliveries and
/// ``StripeCatchUp`` the events it lists, deduplicated by (tenant, source, event id) — an event that arrives both
/// ways is recorded once; ``InboxProcessor`` claims, processes and settles them.
public struct WebhookInbox: Sendable {
    /// A delivery as stored.
    public struct Entry: Codable, Sendable, Hashable {
        /// The tenant.
        public var tenant: String
        /// The event id (`evt_…`).
        public var eventID: String
        /// The event type (`customer.updated`).
        public var eventType: String
        /// The object the event is about (a Stripe customer id).
        public var objectID: String?
        /// The event's creation time.
        public var eventCreated: Date
        /// `pending`, `processed`, `ignored` or `failed`.
        public var status: String
        /// Attempts made.
        public var attempts: Int
        /// The last error, if an attempt failed.
        public var lastError: String?
        /// When it was received.
        public var receivedAt: Date
        /// When it was settled.
        public var processedAt: Date?
        /// `webhook` (a delivery) or `catch_up` (read from Stripe's events list).
        public var receivedVia: String

        enum CodingKeys: String, CodingKey {
            case tenant, eventID = "eventId", eventType, objectID = "objectId", eventCreated, status, attempts, lastError, receivedAt, processedAt,
                receivedVia
        }
    }

    /// A claimed delivery, with what processing needs.
    struct Claim: Sendable {
        var tenant: TenantID
        var eventID: String
        var eventType: String
        var objectID: String?
        var eventCreated: Date
        var attempts: Int
        /// The tenant's turn in its claim (1 for its first delivery of that claim).
        var turn: Int = 1
        /// The delivery's own payload when it is a `customer.created` (see ``createdCustomers(of:tenant:)``); nil otherwise.
        var creation: PGJSON? = nil
    }

    let pool: PGConnectionPool

    /// Makes the inbox over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// Records a verified Stripe delivery in the tenant's scope.
    /// - Returns: false when the event was already recorded (a duplicate delivery).
    /// - Throws: ``PGError``.
    public func record(
        tenant: TenantID, eventID: String, eventType: String, objectID: String?, eventCreated: Date, payload: PGJSON
    ) async throws -> Bool {
        try await record(
            [
                WebhookDelivery(
                    tenant: tenant, eventID: eventID, eventType: eventType, objectID: objectID, eventCreated: eventCreated, payload: payload.text)
            ], tenant: tenant)[0]
    }

    /// Records verified deliveries of one tenant in one statement, in the tenant's scope (see ``InboxRecorder``).
    /// - Returns: for each delivery, whether it was new: false for one already recorded, and for the second of two
    ///   with the same event id.
    /// - Throws: ``PGError``.
    public func record(_ deliveries: [WebhookDelivery], tenant: TenantID) async throws -> [Bool] {
        let inserted = try await insert(
            ids: deliveries.map(\.eventID), types: deliveries.map(\.eventType), objects: deliveries.map { $0.objectID ?? "" },
            created: deliveries.map(\.eventCreated), payloads: deliveries.map(\.payload), via: "webhook", tenant: tenant)
        var firstOfNew = Set(inserted)
        return deliveries.map { firstOfNew.remove($0.eventID) != nil }
    }

    /// Records events read from the tenant's Stripe events list, in one statement in the tenant's scope; the ones
    /// already in the inbox (delivered by a webhook, or read before) are left as they are. Leave out beforehand what
    /// ``recorded(_:tenant:)`` says the inbox holds: each entry is turned back into JSON text and parsed by the server.
    /// - Returns: the ids of the events that were new.
    /// - Throws: ``PGError``.
    public func recordListed(_ entries: [StripeEventPage.Entry], tenant: TenantID) async throws -> [String] {
        try await insert(
            ids: entries.map(\.event.id), types: entries.map(\.event.type), objects: entries.map { $0.event.customer?.id ?? "" },
            created: entries.map { Date(timeIntervalSince1970: TimeInterval($0.event.created)) }, payloads: entries.map(\.jsonText),
            via: "catch_up", tenant: tenant)
    }

    /// Which of these Stripe event ids the tenant's inbox holds (one statement in the tenant's scope).
    /// - Throws: ``PGError``.
    public func recorded(_ ids: [String], tenant: TenantID) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        let rows = try await pool.pipeline(
            scope: .tenant(tenant),
            [
                """
                SELECT event_id FROM webhook_inbox
                WHERE tenant_id = \(tenant.rawValue) AND source = 'stripe' AND event_id = ANY(\(ids)::text[])
                """
            ])
        return Set(try rows[0].decode(String.self))
    }

    /// Inserts events (column by column) in the tenant's scope in one round trip — on a busy machine every answer from
    /// the database waits for its turn in the process — leaving those already in the inbox as they are.
    /// - Parameter via: `webhook` or `catch_up`.
    /// - Returns: the ids inserted.
    private func insert(
        ids: [String], types: [String], objects: [String], created: [Date], payloads: [String], via: String, tenant: TenantID
    ) async throws -> [String] {
        guard !ids.isEmpty else { return [] }
        let rows = try await pool.pipeline(
            scope: .tenant(tenant),
            [
                """
                INSERT INTO webhook_inbox (tenant_id, source, event_id, event_type, object_id, event_created, payload, received_via)
                SELECT \(tenant.rawValue), 'stripe', e.id, e.type, nullif(e.object, ''), e.created, e.payload::jsonb, \(via)
                FROM unnest(\(ids)::text[], \(types)::text[], \(objects)::text[], \(created)::timestamptz[], \(payloads)::text[])
                    AS e(id, type, object, created, payload)
                ON CONFLICT (tenant_id, source, event_id) DO NOTHING
                RETURNING event_id
                """
            ])
        return try rows[0].decode((String).self)
    }

    /// Claims up to `limit` due deliveries, taking turns between tenants, and leases them for `lease` (a crashed
    /// processor's claims become due again when the lease ends). A short transaction: nothing stays locked while
    /// the claims are processed.
    ///
    /// Each tenant offers at most `perTenant` of its due deliveries (its oldest, one index probe per tenant); the
    /// claim takes every tenant's first, then every tenant's second, and so on, and within a turn the tenant whose
    /// last turn (`claim_turns`) is the oldest goes first. So a tenant with 50,000 deliveries waiting takes one place
    /// per turn, and even claims of one delivery alternate between the tenants that have some due. Claims run one at
    /// a time (a transaction-level advisory lock, held for the claim's few milliseconds), so the turns hold across
    /// processors.
    /// - Returns: the claims in the order to process them: by turn, and within each tenant's places in event order.
    /// - Throws: ``PGError``.
    func claim(limit: Int, perTenant: Int, lease: Duration, by holder: String? = nil) async throws -> [Claim] {
        let leaseSeconds = Double(lease.components.seconds) + Double(lease.components.attoseconds) / 1e18
        let rows = try await pool.withTransaction(scope: .system) { connection in
            try await ClaimTurns.beginClaim(.inbox, on: connection)
            let rows = try await connection.query(
                """
                UPDATE webhook_inbox i SET attempts = i.attempts + 1, next_attempt_at = now() + make_interval(secs => \(leaseSeconds)),
                    claimed_by = \(holder)
                FROM (
                    SELECT d.tenant_id, d.source, d.event_id,
                        row_number() OVER (PARTITION BY d.tenant_id ORDER BY d.next_attempt_at, d.received_at, d.event_id) AS turn,
                        r.last_turn_at
                    FROM tenants t
                    LEFT JOIN claim_turns r ON r.queue = 'inbox' AND r.tenant_id = t.id
                    CROSS JOIN LATERAL (
                        SELECT w.tenant_id, w.source, w.event_id, w.next_attempt_at, w.received_at FROM webhook_inbox w
                        WHERE w.tenant_id = t.id AND w.status = 'pending' AND w.next_attempt_at <= now()
                        ORDER BY w.next_attempt_at, w.received_at, w.event_id
                        LIMIT \(perTenant)
                        FOR UPDATE SKIP LOCKED) d
                    ORDER BY turn, r.last_turn_at NULLS FIRST, d.next_attempt_at, d.tenant_id
                    LIMIT \(limit)) due
                WHERE i.tenant_id = due.tenant_id AND i.source = due.source AND i.event_id = due.event_id
                RETURNING i.tenant_id, i.event_id, i.event_type, i.object_id, i.event_created, i.attempts, due.turn,
                    coalesce(due.last_turn_at, 'epoch'::timestamptz), CASE WHEN i.event_type = 'customer.created' THEN i.payload END
                """
            ).decode((String, String, String, String?, Date, Int, Int, Date, PGJSON?).self)
            try await ClaimTurns.record(try Set(rows.map(\.0)).sorted().map { try TenantID($0) }, queue: .inbox, on: connection)
            return rows
        }
        // The claim's order, as the query chose it: by turn, the tenant with the oldest last turn first.
        let claims = try rows.sorted { ($0.6, $0.7, $0.0, $0.1) < ($1.6, $1.7, $1.0, $1.1) }.map {
            Claim(
                tenant: try TenantID($0.0), eventID: $0.1, eventType: $0.2, objectID: $0.3, eventCreated: $0.4, attempts: $0.5, turn: $0.6,
                creation: $0.8)
        }
        return Claim.inEventOrderWithinTenants(claims)
    }

    /// Makes the deliveries `holder` has claimed due again at once: a processor starting under an id calls it, since
    /// no claim of its own can be in flight then (the process that held them under that id was killed).
    /// - Returns: how many were taken back.
    /// - Throws: ``PGError``.
    func takeBackClaims(of holder: String) async throws -> Int {
        try await pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                UPDATE webhook_inbox SET next_attempt_at = now(), claimed_by = NULL
                WHERE claimed_by = \(holder) AND status = 'pending'
                RETURNING event_id
                """
            ).count
        }
    }

    /// Settles claims, each `processed` or `ignored`, in one statement: a pass settles what it processed together
    /// rather than committing once per delivery.
    /// - Throws: ``PGError``.
    func settle(_ settled: [(claim: Claim, status: String)]) async throws {
        guard !settled.isEmpty else { return }
        _ = try await pool.pipeline(
            scope: .system,
            [
                """
                UPDATE webhook_inbox i SET status = s.status, processed_at = now(), last_error = NULL, claimed_by = NULL
                FROM unnest(\(settled.map(\.claim.tenant.rawValue))::text[], \(settled.map(\.claim.eventID))::text[], \(settled.map(\.status))::text[])
                    AS s(tenant_id, event_id, status)
                WHERE i.tenant_id = s.tenant_id AND i.source = 'stripe' AND i.event_id = s.event_id
                """
            ])
    }

    /// Records a failed attempt: retried at `retryAt`, or `failed` for good when `retryAt` is nil.
    /// - Throws: ``PGError``.
    func fail(_ claim: Claim, error: String, retryAt: Date?) async throws {
        try await pool.withTransaction(scope: .system) { connection in
            try await connection.execute(
                """
                UPDATE webhook_inbox SET last_error = \(String(error.prefix(2000))), claimed_by = NULL,
                    status = CASE WHEN \(retryAt)::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
                    next_attempt_at = coalesce(\(retryAt)::timestamptz, next_attempt_at),
                    processed_at = CASE WHEN \(retryAt)::timestamptz IS NULL THEN now() ELSE NULL END
                WHERE tenant_id = \(claim.tenant.rawValue) AND source = 'stripe' AND event_id = \(claim.eventID)
                """)
        }
    }

    /// Deliveries waiting (pending), across tenants.
    /// - Throws: ``PGError``.
    public func backlog() async throws -> Int {
        try await pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT count(*) FROM webhook_inbox WHERE status = 'pending'").singleValue(Int.self) ?? 0
        }
    }

    /// A tenant's most recent deliveries (in its scope).
    /// - Throws: ``PGError``.
    public func recent(_ tenant: TenantID, limit: Int) async throws -> [Entry] {
        try await entries(tenant, eventID: nil, limit: limit)
    }

    /// One delivery of a tenant, or nil (in its scope).
    /// - Throws: ``PGError``.
    public func entry(_ tenant: TenantID, eventID: String) async throws -> Entry? {
        try await entries(tenant, eventID: eventID, limit: 1).first
    }

    private func entries(_ tenant: TenantID, eventID: String?, limit: Int) async throws -> [Entry] {
        try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                SELECT tenant_id, event_id, event_type, object_id, event_created, status, attempts, last_error, received_at, processed_at,
                    received_via
                FROM webhook_inbox WHERE \(eventID)::text IS NULL OR event_id = \(eventID)
                ORDER BY received_at DESC, event_id LIMIT \(limit)
                """
            ).decode((String, String, String, String?, Date, String, Int, String?, Date, Date?, String).self)
        }.map {
            Entry(
                tenant: $0.0, eventID: $0.1, eventType: $0.2, objectID: $0.3, eventCreated: $0.4, status: $0.5, attempts: $0.6, lastError: $0.7,
                receivedAt: $0.8, processedAt: $0.9, receivedVia: $0.10)
        }
    }
}
