public import EventStore
public import Foundation
import PGClient
import Projections
public import SyncDomain

/// The outbound queue: what people and the API read about outbound requests (counts, failures), and the claims
/// workers take on them.
///
/// Reads go through the `outbound_requests` view (the active version of ``OutboundRequestsProjector``); in a
/// tenant's scope row-level security limits them to that tenant.
public struct OutboundQueue: Sendable {
    /// The event store whose pool the queue uses.
    public let store: EventStore

    /// Makes a queue over a store.
    public init(store: EventStore) { self.store = store }

    // MARK: Counts and lists

    /// How many requests of a tenant stand where; for metrics and the UI.
    public struct Counts: Sendable, Hashable {
        /// Waiting for a first attempt (or an attempt after a retry).
        public var pending = 0
        /// Failed, waiting for the next attempt.
        public var failedWaiting = 0
        /// Waiting because the target asked to slow down (429); not failed.
        public var rateLimited = 0
        /// Carried out.
        public var succeeded = 0
        /// Given up; waiting for a person.
        public var abandoned = 0
        /// Never sent: a newer request of the same link carries their changes.
        public var superseded = 0
        /// Claimed by a worker right now.
        public var inFlight = 0
        /// The earliest next attempt of a pending or failed request.
        public var nextAttemptAt: Date?

        /// Makes counts.
        public init(
            pending: Int = 0, failedWaiting: Int = 0, rateLimited: Int = 0, succeeded: Int = 0, abandoned: Int = 0, superseded: Int = 0,
            inFlight: Int = 0,
            nextAttemptAt: Date? = nil
        ) {
            self.pending = pending
            self.failedWaiting = failedWaiting
            self.rateLimited = rateLimited
            self.succeeded = succeeded
            self.abandoned = abandoned
            self.superseded = superseded
            self.inFlight = inFlight
            self.nextAttemptAt = nextAttemptAt
        }
    }

    /// Counts per tenant, across every tenant (system scope; for metrics).
    /// - Throws: ``PGError`` from the database.
    public func counts() async throws -> [TenantID: Counts] {
        try await ensureProjection()
        return try await store.pool.withTransaction(scope: .system) { connection in try await Self.counts(on: connection) }
    }

    /// One tenant's counts, read in the tenant's scope.
    /// - Throws: ``PGError`` from the database.
    public func counts(for tenant: TenantID) async throws -> Counts {
        try await ensureProjection()
        return try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await Self.counts(on: connection)[tenant] ?? Counts()
        }
    }

    private static func counts(on connection: PGConnection) async throws -> [TenantID: Counts] {
        var result: [TenantID: Counts] = [:]
        let rows = try await connection.query(
            """
            SELECT tenant_id, status, count(*), min(next_attempt_at) FROM outbound_requests GROUP BY tenant_id, status
            """
        ).decode((String, String, Int, Date?).self)
        for (tenant, status, count, next) in rows {
            var counts = result[try TenantID(tenant), default: Counts()]
            switch OutboundQueueStatus(rawValue: status) {
            case .pending?: counts.pending = count
            case .failedWaiting?: counts.failedWaiting = count
            case .rateLimited?: counts.rateLimited = count
            case .succeeded?: counts.succeeded = count
            case .abandoned?: counts.abandoned = count
            case .superseded?: counts.superseded = count
            case nil: continue
            }
            if let next, OutboundQueueStatus(rawValue: status)?.isOpen == true {
                counts.nextAttemptAt = counts.nextAttemptAt.map { min($0, next) } ?? next
            }
            result[try TenantID(tenant)] = counts
        }
        let inFlight = try await connection.query(
            "SELECT tenant_id, count(*) FROM outbound_claims WHERE NOT released AND expires_at > now() GROUP BY tenant_id"
        ).decode((String, Int).self)
        for (tenant, count) in inFlight { result[try TenantID(tenant), default: Counts()].inFlight = count }
        return result
    }

    /// A tenant's requests, newest change first, optionally only those with one status ("what failed and why":
    /// `.abandoned` and `.failedWaiting`). Read in the tenant's scope.
    /// - Throws: ``PGError``, or a decoding error for a corrupt row.
    public func requests(of tenant: TenantID, status: OutboundQueueStatus? = nil, limit: Int = 100) async throws -> [OutboundRequestRow] {
        try await ensureProjection()
        return try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            var query: PGQuery = "SELECT to_jsonb(q) FROM outbound_requests q WHERE tenant_id = \(tenant.rawValue)"
            if let status { query.append(" AND status = \(status.rawValue)") }
            query.append(" ORDER BY updated_at DESC, request_id LIMIT \(limit)")
            return try await connection.query(query).map { try ProjectionJSON.decode(OutboundRequestRow.self, from: try $0.decode(column: 0)) }
        }
    }

    /// One request's row, or nil when the queue does not (yet) show it. Read in the tenant's scope.
    /// - Throws: ``PGError``, or a decoding error for a corrupt row.
    public func request(_ id: RequestID, of tenant: TenantID) async throws -> OutboundRequestRow? {
        try await ensureProjection()
        return try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                "SELECT to_jsonb(q) FROM outbound_requests q WHERE tenant_id = \(tenant.rawValue) AND request_id = \(id.description)"
            ).first.map { try ProjectionJSON.decode(OutboundRequestRow.self, from: try $0.decode(column: 0)) }
        }
    }

    /// Creates the projection's first version (tables and view) if it was never run, so reads do not fail.
    private func ensureProjection() async throws {
        _ = try await ProjectionRegistry(pool: store.pool).activeVersion(of: OutboundRequestsProjector())
    }

    // MARK: Claims (workers)

    /// A request a worker has claimed.
    public struct Claim: Sendable, Hashable {
        /// The tenant.
        public var tenant: TenantID
        /// The request.
        public var requestID: RequestID
        /// Identifies this claim; renewals and the release must present it.
        public var token: UUID
        /// The worker whose lapsed in-flight claim this one took over (it may have sent the request).
        public var previousWorker: String?
        /// When this worker last renewed the claim (it then runs for the claim's TTL), if it has.
        var renewedAt: ContinuousClock.Instant?

        /// Whether this claim took over a worker's claim that lapsed while in flight.
        public var isTakeover: Bool { previousWorker != nil }
    }

    /// Claims up to `limit` due requests for `worker`, in one short transaction, taking turns between tenants and
    /// never letting a tenant have more than `perTenantCap` requests in flight.
    ///
    /// Each tenant offers at most its room under the cap (the cap less its claims in flight, whichever worker holds
    /// them) of its due queue rows, the oldest first, locked `FOR UPDATE SKIP LOCKED` (one index probe per tenant);
    /// the claim then takes every tenant's first, then every tenant's second, and so on — within a turn the tenant
    /// whose last turn is the oldest first (``EventStore/ClaimTurns``), so even claims of one request alternate
    /// between tenants — and writes a claim row for each. An existing in-flight claim that has not lapsed wins over
    /// the new one. Released claims whose worker saw a later event than the queue row shows are skipped until the
    /// projection catches up. Claims run one at a time (``EventStore/ClaimTurns/beginClaim(_:on:)``), so each sees the
    /// claims in flight before it, and the cap holds across workers and processes.
    ///
    /// - Parameters:
    ///   - worker: the worker's id.
    ///   - limit: the most requests to claim.
    ///   - perTenantCap: the most requests of one tenant in flight at once, this claim's included.
    ///   - ttl: how long the claim lasts unless renewed; must cover the longest attempt (all its HTTP calls).
    ///   - version: the active version of ``OutboundRequestsProjector``.
    ///   - skipEconomicOf: tenants whose e-conomic requests are left alone this time (their rate limit is exhausted).
    ///   - skipStripeOf: tenants whose Stripe requests are left alone this time.
    ///   - cleaningUp: whether the claim first deletes the released claims of finished requests (they only take room;
    ///     a worker does it now and then, not in every claim).
    /// - Throws: ``PGError`` from the database.
    func claim(
        worker: String, limit: Int, perTenantCap: Int, ttl: Duration, version: Int, skipEconomicOf skipped: [TenantID] = [],
        skipStripeOf skippedStripe: [TenantID] = [], cleaningUp: Bool = true
    ) async throws -> [Claim] {
        guard limit > 0, perTenantCap > 0 else { return [] }
        let queue = ProjectionTarget(projection: OutboundRequestsProjector.table.name, version: version).table(OutboundRequestsProjector.table.name)
        // One round trip: the claim's lock, the cleanup and the claim (which records the tenants' turns) in one
        // pipeline, one transaction.
        var statements = [ClaimTurns.beginning(.outbound)]
        if cleaningUp {
            // Released claims of finished requests whose queue row has caught up carry no information any more.
            statements.append(
                """
                DELETE FROM outbound_claims c USING \(unsafeRaw: queue) q
                WHERE c.released AND q.tenant_id = c.tenant_id AND q.request_id = c.request_id
                  AND q.status IN ('succeeded', 'abandoned', 'superseded') AND q.last_position >= c.release_position
                """)
        }
        statements.append(
                """
                WITH in_flight AS (
                    SELECT tenant_id, count(*) AS claims FROM outbound_claims WHERE NOT released AND expires_at > now() GROUP BY tenant_id
                ),
                offered AS (
                    SELECT d.tenant_id, d.request_id, d.next_attempt_at, r.last_turn_at,
                        row_number() OVER (PARTITION BY d.tenant_id ORDER BY d.next_attempt_at, d.created_at, d.request_id) AS turn
                    FROM tenants t
                    LEFT JOIN in_flight f ON f.tenant_id = t.id
                    LEFT JOIN claim_turns r ON r.queue = 'outbound' AND r.tenant_id = t.id
                    CROSS JOIN LATERAL (
                        SELECT q.tenant_id, q.request_id, q.next_attempt_at, q.created_at FROM \(unsafeRaw: queue) q
                        WHERE q.tenant_id = t.id AND q.status IN ('pending', 'failed_waiting', 'rate_limited') AND q.next_attempt_at <= now()
                          AND NOT (q.kind IN ('economic_create', 'economic_update') AND q.tenant_id = ANY(\(skipped.map(\.rawValue))::text[]))
                          AND NOT (q.kind IN ('stripe_metadata', 'stripe_fields', 'stripe_create') AND q.tenant_id = ANY(\(skippedStripe.map(\.rawValue))::text[]))
                          AND NOT EXISTS (
                              SELECT 1 FROM outbound_claims c
                              WHERE c.tenant_id = q.tenant_id AND c.request_id = q.request_id
                                AND (c.expires_at > now() OR (c.released AND c.release_position > q.last_position)))
                          AND (q.link_id IS NULL OR NOT EXISTS (
                              -- One write of a link to one side at a time, the oldest due first: none while another is in
                              -- flight (two read-modify-writes of one customer would undo each other), and a newer one
                              -- only once no older one is due (the newer supersedes the older when it is sent).
                              SELECT 1 FROM \(unsafeRaw: queue) o
                              WHERE o.tenant_id = q.tenant_id AND o.link_id = q.link_id AND o.request_id <> q.request_id
                                AND o.status IN ('pending', 'failed_waiting', 'rate_limited') AND \(unsafeRaw: Self.sameTarget("o", "q"))
                                AND ((o.next_attempt_at <= now() AND (o.created_at, o.request_id) < (q.created_at, q.request_id))
                                     OR EXISTS (
                                         SELECT 1 FROM outbound_claims oc
                                         WHERE oc.tenant_id = o.tenant_id AND oc.request_id = o.request_id
                                           AND NOT oc.released AND oc.expires_at > now()))))
                        ORDER BY q.next_attempt_at, q.created_at, q.request_id
                        LIMIT greatest(0, least(\(perTenantCap) - coalesce(f.claims, 0), \(limit)))
                        FOR UPDATE OF q SKIP LOCKED) d
                ),
                due AS (
                    SELECT tenant_id, request_id FROM offered ORDER BY turn, last_turn_at NULLS FIRST, next_attempt_at, tenant_id LIMIT \(limit)
                ),
                claimed AS (
                    INSERT INTO outbound_claims AS c (tenant_id, request_id, worker, token, claimed_at, expires_at)
                    SELECT tenant_id, request_id, \(worker), gen_random_uuid(), now(), now() + \(Self.milliseconds(ttl)) * interval '1 millisecond'
                    FROM due
                    ON CONFLICT (tenant_id, request_id) DO UPDATE SET
                        worker = excluded.worker, token = excluded.token, claimed_at = excluded.claimed_at, expires_at = excluded.expires_at,
                        released = false, release_position = NULL,
                        previous_worker = CASE WHEN c.released THEN NULL ELSE c.worker END,
                        takeovers = c.takeovers + CASE WHEN c.released THEN 0 ELSE 1 END
                    WHERE c.released OR c.expires_at <= now()
                    RETURNING c.tenant_id, c.request_id, c.token, c.previous_worker
                ),
                turns AS (\(ClaimTurns.recording(.outbound, tenantsOf: "claimed")))
                SELECT tenant_id, request_id, token, previous_worker FROM claimed
                """)
        let claimed = try await store.pool.pipeline(scope: .system, statements).last
        return try (claimed?.decode((String, UUID, UUID, String?).self) ?? []).map {
            Claim(tenant: try TenantID($0.0), requestID: RequestID($0.1), token: $0.2, previousWorker: $0.3)
        }
    }

    /// What renewing a claim right before sending found.
    enum Renewal: Sendable, Hashable {
        /// Still this worker's, extended: send.
        case renewed
        /// Taken over or released: the worker must not send.
        case lost
        /// Another write of the same link to the same side is in flight: do not send now (release and try later).
        case linkBusy
    }

    /// Extends a claim to `ttl` from now, proving it is still this worker's and that no other write of the same
    /// link to the same side is claimed (claims are committed when taken, so of two such claims each sees the
    /// other here, and at most one is sent).
    /// - Throws: ``PGError`` from the database.
    func renew(_ claim: Claim, ttl: Duration) async throws -> Renewal {
        let (tenant, request) = (claim.tenant.rawValue, claim.requestID.description)
        // One statement (one snapshot), one round trip: the check, and the renewal only when the link is not busy.
        let rows = try await store.pool.pipeline(
            scope: .system,
            [
                """
                WITH busy AS (
                    SELECT EXISTS (
                        SELECT 1 FROM outbound_requests q
                        JOIN outbound_requests o ON o.tenant_id = q.tenant_id AND o.link_id = q.link_id AND o.request_id <> q.request_id
                        JOIN outbound_claims c ON c.tenant_id = o.tenant_id AND c.request_id = o.request_id
                        WHERE q.tenant_id = \(tenant) AND q.request_id = \(request) AND \(unsafeRaw: Self.sameTarget("o", "q"))
                          AND NOT c.released AND c.expires_at > now()) AS busy
                ),
                renewed AS (
                    UPDATE outbound_claims SET expires_at = now() + \(Self.milliseconds(ttl)) * interval '1 millisecond'
                    WHERE tenant_id = \(tenant) AND request_id = \(request) AND token = \(claim.token) AND NOT released
                      AND NOT (SELECT busy FROM busy)
                    RETURNING 1
                )
                SELECT (SELECT busy FROM busy), (SELECT count(*)::int FROM renewed)
                """
            ])
        guard let (busy, renewed) = try rows[0].first?.decode((Bool, Int).self) else { return .lost }
        if busy { return .linkBusy }
        return renewed == 1 ? .renewed : .lost
    }

    /// SQL: rows `a` and `b` of the queue write to the same side (e-conomic, or Stripe).
    static func sameTarget(_ a: String, _ b: String) -> String {
        "(\(a).kind IN ('economic_create', 'economic_update')) = (\(b).kind IN ('economic_create', 'economic_update'))"
    }

    /// Keeps a claim in flight but lets it lapse after `delay`: for a worker that could not even start its attempt.
    /// The request is taken over then, and treated as possibly sent (an earlier worker's attempt may be unresolved).
    /// - Throws: ``PGError`` from the database.
    func postpone(_ claim: Claim, by delay: Duration) async throws {
        try await store.pool.pipeline(
            scope: .system,
            [
                """
                UPDATE outbound_claims SET expires_at = now() + \(Self.milliseconds(delay)) * interval '1 millisecond'
                WHERE tenant_id = \(claim.tenant.rawValue) AND request_id = \(claim.requestID.description) AND token = \(claim.token) AND NOT released
                """
            ])
    }

    /// Releases a claim: the request may be claimed again once the queue row shows the event at `position` (the
    /// last event the worker saw or wrote) and `notBefore` has passed.
    /// - Throws: ``PGError`` from the database.
    func release(_ claim: Claim, position: Int64, notBefore: Date? = nil) async throws {
        try await store.pool.pipeline(
            scope: .system,
            [
                """
                UPDATE outbound_claims SET released = true, release_position = \(position), expires_at = greatest(now(), \(notBefore))
                WHERE tenant_id = \(claim.tenant.rawValue) AND request_id = \(claim.requestID.description) AND token = \(claim.token)
                """
            ])
    }

    /// Makes every in-flight claim of `worker` lapse once `inFlight` has passed (a restarted worker with a stable id:
    /// whatever it held was in flight when it died, and is taken over, with reconciliation, as soon as nothing the
    /// dead worker sent can still arrive — a request on the wire when it died lands up to its timeout later, and a
    /// takeover before that could look a create up before the dead worker's `POST` lands, or read a customer that its
    /// `PUT` then overwrites). Claims that lapse sooner anyway keep their time.
    /// - Returns: how many claims were shortened.
    /// - Throws: ``PGError`` from the database.
    func expireClaims(of worker: String, after inFlight: Duration) async throws -> Int {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.execute(
                """
                UPDATE outbound_claims SET expires_at = now() + \(Self.milliseconds(inFlight)) * interval '1 millisecond'
                WHERE worker = \(worker) AND NOT released AND expires_at > now() + \(Self.milliseconds(inFlight)) * interval '1 millisecond'
                """)
        }
    }

    /// When the worker should look again: the earliest time an open request becomes claimable (its next attempt,
    /// or the lapse of the claim on it; for a tenant at its cap of requests in flight, no sooner than the first of
    /// its claims lapses — a settled one rings the worker anyway), and whether some request waits only for the queue
    /// to catch up with the log (then a short look again is worth it).
    /// - Throws: ``PGError`` from the database.
    func nextWakeUp(
        version: Int, perTenantCap: Int, skipEconomicOf skipped: [TenantID] = [], skipStripeOf skippedStripe: [TenantID] = []
    ) async throws -> (date: Date?, lagging: Bool) {
        let queue = ProjectionTarget(projection: OutboundRequestsProjector.table.name, version: version).table(OutboundRequestsProjector.table.name)
        return try await store.pool.withTransaction(scope: .system) { connection in
            let row = try await connection.query(
                """
                WITH capped AS (
                    SELECT tenant_id, min(expires_at) AS frees_at FROM outbound_claims WHERE NOT released AND expires_at > now()
                    GROUP BY tenant_id HAVING count(*) >= \(perTenantCap)
                )
                SELECT min(CASE
                           WHEN c.request_id IS NULL THEN greatest(q.next_attempt_at, k.frees_at)
                           WHEN c.released AND c.release_position > q.last_position THEN NULL
                           ELSE greatest(q.next_attempt_at, c.expires_at, k.frees_at) END),
                       coalesce(bool_or(c.released AND c.release_position > q.last_position), false)
                FROM \(unsafeRaw: queue) q
                LEFT JOIN outbound_claims c ON c.tenant_id = q.tenant_id AND c.request_id = q.request_id
                LEFT JOIN capped k ON k.tenant_id = q.tenant_id
                WHERE q.status IN ('pending', 'failed_waiting', 'rate_limited')
                  AND NOT (q.kind IN ('economic_create', 'economic_update') AND q.tenant_id = ANY(\(skipped.map(\.rawValue))::text[]))
                  AND NOT (q.kind IN ('stripe_metadata', 'stripe_fields', 'stripe_create') AND q.tenant_id = ANY(\(skippedStripe.map(\.rawValue))::text[]))
                """
            ).first
            guard let row else { return (nil, false) }
            return try row.decode((Date?, Bool).self)
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
