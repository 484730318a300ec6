import EventStore
import PGClient
import Synchronization

/// The reactor's shards in the database (`reactor_shards`, migration 0016): their leases, which tenants of a shard
/// have something to decide, and the checkpoints (`projection_checkpoints` under ``Reactor/checkpointName``: one per
/// shard, one per tenant that is ahead of its shard, and the low-water mark `all` — every event up to it is handled,
/// for every tenant, which is what the operations views and tests read).
///
/// Leases are rows rather than session advisory locks: a lease needs no connection of its own for as long as it is
/// held (a task holds a shard for one turn, on the pool's connections), it is visible (`SELECT * FROM
/// reactor_shards`), and it survives a connection that breaks mid-turn without handing the shard to another task at
/// once. The cost is the lease time: a killed process's shard waits that long for its next turn.
struct ReactorShards: Sendable {
    let store: EventStore
    let sharding: ReactorSharding
    /// Whether this process has made the shard rows.
    private let rowsMade = RowsMade()

    private final class RowsMade: Sendable {
        let value = Atomic<Bool>(false)
    }

    /// A tenant with events the reactor has not handled, up to the turn's horizon.
    struct Pending: Sendable {
        var tenant: TenantID
        /// Where the tenant's handling stands (its own checkpoint, or its shard's).
        var checkpoint: Checkpoint
    }

    /// One turn's work in a shard: the tenants with something to decide, least behind first, and the horizon (the
    /// newest event below the watermark when the turn began) that the turn reads up to.
    struct Turn: Sendable {
        var shard: Int
        var base: Checkpoint
        var horizon: Checkpoint
        var tenants: [Pending]
    }

    // MARK: Leases

    /// Leases the free shard (never leased, given back, lapsed, or already `holder`'s) that has waited longest for a
    /// turn among `candidates`, leaving out `visited`. Nil when every other candidate is held by someone else.
    func claim(holder: String, excluding visited: [Int], among candidates: [Int]) async throws -> Int? {
        let (count, lease) = (sharding.shards, sharding.lease.seconds)
        // The shard rows are made once per process (they are never removed), not in every claim.
        let makeRows = !rowsMade.value.load(ordering: .acquiring)
        var statements: [PGQuery] = []
        if makeRows {
            statements.append(
                """
                INSERT INTO reactor_shards (shard_count, shard) SELECT \(count), n FROM generate_series(0, \(count) - 1) n
                ON CONFLICT DO NOTHING
                """)
        }
        statements.append(
            """
            UPDATE reactor_shards s SET holder = \(holder), lease_until = clock_timestamp() + make_interval(secs => \(lease)),
                turn_at = clock_timestamp()
            FROM (
                SELECT shard FROM reactor_shards
                WHERE shard_count = \(count) AND (lease_until < clock_timestamp() OR holder = \(holder)) AND shard <> ALL(\(visited)::int8[])
                  AND shard = ANY(\(candidates)::int8[])
                ORDER BY turn_at, shard LIMIT 1 FOR UPDATE SKIP LOCKED
            ) free
            WHERE s.shard_count = \(count) AND s.shard = free.shard
            RETURNING s.shard
            """)
        let shard = try await store.pool.pipeline(scope: .system, statements).last?.singleValue(Int.self)
        // No shard at all for a round's first claim may also mean the rows are gone (a database reset under a
        // running process): make them again next time.
        rowsMade.value.store(makeRows || shard != nil || !visited.isEmpty, ordering: .releasing)
        return shard
    }

    /// Extends `holder`'s lease of a shard. False when the lease lapsed and another task took the shard over: the
    /// turn stops (what it decided stays decided; the new holder finds it handled).
    func renew(_ shard: Int, holder: String) async throws -> Bool {
        let (count, lease) = (sharding.shards, sharding.lease.seconds)
        return try await store.pool.pipeline(
            scope: .system,
            [
                """
                UPDATE reactor_shards SET lease_until = clock_timestamp() + make_interval(secs => \(lease))
                WHERE shard_count = \(count) AND shard = \(shard) AND holder = \(holder)
                RETURNING shard
                """
            ])[0].count == 1
    }

    /// Gives a shard back after its turn, so that any task may take it at once.
    func release(_ shard: Int, holder: String) async throws {
        _ = try await store.pool.pipeline(scope: .system, [releasing(shard, holder: holder)])
    }

    /// The statement that gives `holder`'s lease of a shard back.
    private func releasing(_ shard: Int, holder: String) -> PGQuery {
        """
        UPDATE reactor_shards SET holder = NULL, lease_until = '-infinity'
        WHERE shard_count = \(sharding.shards) AND shard = \(shard) AND holder = \(holder)
        """
    }

    // MARK: Turns

    /// Whether every event below the watermark is handled for every tenant (none after the low-water mark): then a
    /// round has nothing to look at, and an idle reactor costs one query per look instead of one turn per shard.
    func caughtUp() async throws -> Bool {
        try await store.pool.withTransaction(scope: .system) { connection in
            let low = try await store.loadCheckpoint(projection: Reactor.checkpointName, version: 1, on: connection)
            return try await connection.query(Self.nothingAfter(low)).singleValue(Bool.self) ?? false
        }
    }

    /// Whether no event below the watermark comes after `checkpoint`: the first such event in log order, looked up
    /// by `events_txid_position`. (As `NOT EXISTS` the statement's generic plan — the one a prepared statement runs
    /// after its first few — was a sequential scan of the whole log: expecting a third of the events to qualify, the
    /// planner hoped to stop at the first, and when caught up none did: 153 ms for 47,000 events against 0.08 ms.)
    static func nothingAfter(_ checkpoint: Checkpoint) -> PGQuery {
        """
        SELECT (
            SELECT 1 FROM events
            WHERE (txid, global_position) > (\(String(checkpoint.transactionID))::xid8, \(checkpoint.globalPosition))
              AND txid < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY txid, global_position LIMIT 1) IS NULL
        """
    }

    /// What a round finds in one snapshot: the newest event below the watermark (the horizon), the shards with a
    /// tenant that has events after its checkpoint up to it, and the other shards whose checkpoints are behind it.
    struct RoundWork: Sendable {
        var horizon: Checkpoint
        /// Shards with events to decide: they get turns.
        var pending: [Int]
        /// Shards with nothing to decide up to the horizon whose checkpoints are behind it: they are moved to it
        /// without a turn (``save(_:ofShards:)``).
        var behind: [Int]
    }

    /// What a round has to do, in one query (nil when nothing: no shard pending or behind, or an empty log): for every
    /// tenant its furthest checkpoint — its own, its shard's or the low-water mark — and one probe for an event after
    /// it up to the horizon. During one tenant's backlog a round then takes turns of that tenant's shard only, instead
    /// of a claim, a turn and a release of every shard per batch; and the other shards' checkpoints follow the horizon
    /// without turns, so the low-water mark keeps up.
    ///
    /// The probe is a lateral `LIMIT 1` in log order, not `EXISTS`: with `EXISTS` the planner, taking the never-analysed
    /// `tenants` for 810 rows, could hash the whole log instead of probing per tenant — 12–17 ms per round at 45,000
    /// events (found in `webhooks.sh`'s statement log), where the probes take 0.3 ms.
    func work() async throws -> RoundWork? {
        let rows = try await store.pool.withTransaction(scope: .system) { connection in
            // One probe per tenant, as in turn(of:): the plan's estimate passes jit_above_cost with many tenants.
            try await connection.execute("SELECT set_config('jit', 'off', true)")
            return try await connection.query(roundStatement).decode((UInt64, Int64, Int, Bool).self)
        }
        guard let first = rows.first else { return nil }
        return RoundWork(
            horizon: Checkpoint(transactionID: first.0, globalPosition: first.1), pending: rows.filter(\.3).map(\.2),
            behind: rows.filter { !$0.3 }.map(\.2))
    }

    /// ``work()``'s statement: the horizon, then per shard whether it is pending and whether it is behind.
    var roundStatement: PGQuery {
        """
        WITH horizon AS MATERIALIZED (\(Self.horizon)), tenant_shards AS (
            SELECT t.id, \(shard(ofTenant: "t.id")) AS shard FROM tenants t
        ), pending AS MATERIALIZED (
            SELECT DISTINCT ts.shard
            FROM horizon h CROSS JOIN tenant_shards ts
            LEFT JOIN LATERAL (
                SELECT c.txid, c.global_position FROM projection_checkpoints c
                WHERE c.projection = \(Reactor.checkpointName) AND c.version = 1
                  AND c.shard IN ('tenant/' || ts.id, \(checkpointName(ofShard: "ts.shard")), 'all')
                ORDER BY c.txid DESC, c.global_position DESC LIMIT 1
            ) cp ON true
            CROSS JOIN LATERAL (
                SELECT 1 FROM events e
                WHERE e.tenant_id = ts.id
                  AND (e.txid, e.global_position) > (coalesce(cp.txid, '0'::xid8), coalesce(cp.global_position, 0))
                  AND (e.txid, e.global_position) <= (h.txid, h.global_position)
                ORDER BY e.txid, e.global_position LIMIT 1
            ) next
        )
        SELECT h.txid, h.global_position, n::int8, n IN (SELECT shard FROM pending)
        FROM horizon h CROSS JOIN generate_series(0, \(sharding.shards) - 1) n
        LEFT JOIN projection_checkpoints c
            ON c.projection = \(Reactor.checkpointName) AND c.version = 1 AND c.shard = \(checkpointName(ofShard: "n"))
        WHERE n IN (SELECT shard FROM pending) OR c.txid IS NULL OR (c.txid, c.global_position) < (h.txid, h.global_position)
        ORDER BY n
        """
    }

    /// The tenants of a shard with events after their checkpoint up to the horizon, in one snapshot; nil when the
    /// log is empty. A tenant's checkpoint is its own when that is ahead of the shard's, else the shard's.
    func turn(of shard: Int) async throws -> Turn? {
        return try await store.pool.withTransaction(scope: .system) { connection in
            // One probe per tenant of the shard: with many tenants the plan's estimate passes jit_above_cost although
            // it runs in milliseconds (the same as the inbox's claims, ClaimTurns).
            try await connection.execute("SELECT set_config('jit', 'off', true)")
            let base = try await self.base(of: shard, on: connection)
            let rows = try await connection.query(
                """
                WITH horizon AS MATERIALIZED (\(Self.horizon)), tenant_checkpoints AS (
                    SELECT t.id, CASE WHEN c.txid IS NOT NULL AND (c.txid, c.global_position) > (\(String(base.transactionID))::xid8, \(base.globalPosition))
                                      THEN c.txid ELSE \(String(base.transactionID))::xid8 END AS txid,
                                 CASE WHEN c.txid IS NOT NULL AND (c.txid, c.global_position) > (\(String(base.transactionID))::xid8, \(base.globalPosition))
                                      THEN c.global_position ELSE \(base.globalPosition) END AS global_position
                    FROM tenants t
                    LEFT JOIN projection_checkpoints c
                        ON c.projection = \(Reactor.checkpointName) AND c.version = 1 AND c.shard = 'tenant/' || t.id
                    WHERE \(self.shard(ofTenant: "t.id")) = \(shard)
                )
                SELECT h.txid, h.global_position, t.id, t.txid, t.global_position
                FROM horizon h LEFT JOIN tenant_checkpoints t ON EXISTS (
                    SELECT 1 FROM events e
                    WHERE e.tenant_id = t.id AND (e.txid, e.global_position) > (t.txid, t.global_position)
                      AND (e.txid, e.global_position) <= (h.txid, h.global_position))
                ORDER BY t.txid DESC, t.global_position DESC, t.id
                """
            ).decode((UInt64, Int64, String?, UInt64?, Int64?).self)
            guard let first = rows.first else { return nil }
            let horizon = Checkpoint(transactionID: first.0, globalPosition: first.1)
            let tenants = try rows.compactMap { row -> Pending? in
                guard let id = row.2, let txid = row.3, let position = row.4 else { return nil }
                return Pending(tenant: try TenantID(id), checkpoint: Checkpoint(transactionID: txid, globalPosition: position))
            }
            return Turn(shard: shard, base: base, horizon: horizon, tenants: tenants)
        }
    }

    /// Saves how far a tenant's events are handled.
    func save(_ checkpoint: Checkpoint, of tenant: TenantID) async throws {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await store.saveCheckpoint(checkpoint, projection: Reactor.checkpointName, version: 1, shard: "tenant/\(tenant)", on: connection)
        }
    }

    /// Saves how far a shard's events are handled, and moves the low-water mark to the oldest shard's checkpoint
    /// once every shard has one.
    ///
    /// Saves take turns (a transaction lock): two shards saved at once each read the other's checkpoint as it was
    /// before, and the low-water mark, which only moves forward, stayed behind both for good — in a quiet log no
    /// shard moves again, so the reactor looked one event behind forever.
    func save(_ checkpoint: Checkpoint, ofShard shard: Int) async throws {
        try await save(checkpoint, ofShards: [shard])
    }

    /// Saves the same checkpoint for several shards in one transaction (shards a round found with nothing to decide
    /// up to its horizon), and moves the low-water mark as ``save(_:ofShard:)`` does. A checkpoint never moves back,
    /// so a turn of one of them saving at the same time keeps whichever is further.
    func save(_ checkpoint: Checkpoint, ofShards shards: [Int]) async throws {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await save(checkpoint, ofShards: shards, on: connection)
        }
    }

    /// Ends `holder`'s turn of a shard in one transaction: each tenant's checkpoint moved to where the turn got it, the
    /// shard's moved (when `shardCheckpoint` is not nil, with the low-water mark as ``save(_:ofShard:)``), and the lease
    /// given back (if `holder` still holds it).
    func finish(_ shard: Int, holder: String, tenants: [TenantID: Checkpoint], shardCheckpoint: Checkpoint?) async throws {
        try await store.pool.withTransaction(scope: .system) { connection in
            for (tenant, checkpoint) in tenants.sorted(by: { $0.key < $1.key }) {
                try await store.saveCheckpoint(checkpoint, projection: Reactor.checkpointName, version: 1, shard: "tenant/\(tenant)", on: connection)
            }
            if let shardCheckpoint { try await save(shardCheckpoint, ofShards: [shard], on: connection) }
            try await connection.execute(releasing(shard, holder: holder))
        }
    }

    /// Saves shards' checkpoints and moves the low-water mark to the oldest shard's checkpoint once every shard has
    /// one, under the low-water mark's lock (see ``save(_:ofShard:)``).
    private func save(_ checkpoint: Checkpoint, ofShards shards: [Int], on connection: PGConnection) async throws {
        let count = sharding.shards
        try await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended('accord.reactor/low-water-mark', 0))")
        for shard in shards {
            try await store.saveCheckpoint(
                checkpoint, projection: Reactor.checkpointName, version: 1, shard: Self.name(of: shard, count), on: connection)
        }
        let oldest = try await connection.query(
            """
            SELECT txid, global_position, count(*) OVER () FROM projection_checkpoints
            WHERE projection = \(Reactor.checkpointName) AND version = 1 AND shard LIKE \("shard/\(count)/%")
            ORDER BY txid, global_position LIMIT 1
            """
        ).decode((UInt64, Int64, Int).self).first
        if let oldest, oldest.2 == count {
            try await store.saveCheckpoint(
                Checkpoint(transactionID: oldest.0, globalPosition: oldest.1), projection: Reactor.checkpointName, version: 1,
                on: connection)
        }
    }

    /// A shard's checkpoint: its own, or the low-water mark when it has none yet (a new database, the first run
    /// after migration 0016, or a new number of shards).
    private func base(of shard: Int, on connection: PGConnection) async throws -> Checkpoint {
        let own = try await store.loadCheckpoint(
            projection: Reactor.checkpointName, version: 1, shard: Self.name(of: shard, sharding.shards), on: connection)
        let low = try await store.loadCheckpoint(projection: Reactor.checkpointName, version: 1, on: connection)
        return max(own, low)
    }

    private static func name(of shard: Int, _ count: Int) -> String { "shard/\(count)/\(shard)" }

    /// A shard's checkpoint name (``name(of:_:)``) for the shard number in `column`, as SQL.
    private func checkpointName(ofShard column: String) -> PGQuery {
        "\("shard/\(sharding.shards)/")::text || \(unsafeRaw: column)::text"
    }

    /// The newest event below the watermark, as SQL: the horizon a round and a turn read up to.
    private static let horizon: PGQuery = """
        SELECT txid, global_position FROM events WHERE txid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY txid DESC, global_position DESC LIMIT 1
        """

    /// The shard of the tenant whose id is in `column`, as SQL: a stable hash of the id, modulo the number of shards.
    /// One definition for the round's listing and a shard's turn, which must agree on it.
    private func shard(ofTenant column: String) -> PGQuery {
        Self.shard(ofTenant: column, count: "\(sharding.shards)")
    }

    /// The same, for the number of shards in the SQL expression `count`.
    private static func shard(ofTenant column: String, count: String) -> PGQuery {
        "mod(mod(hashtextextended(\(unsafeRaw: column), 0), \(unsafeRaw: count)) + \(unsafeRaw: count), \(unsafeRaw: count))"
    }

    // MARK: Lag

    /// How many events each tenant has after its furthest checkpoint — its own, its shard's (under any number of
    /// shards a checkpoint was saved for: each says every event of that shard's tenants up to it is handled) or the
    /// low-water mark —, counted up to `limit`; tenants with none are left out. One index probe per tenant.
    static func tenantsBehind(countingUpTo limit: Int, on connection: PGConnection) async throws -> [(tenant: String, events: Int)] {
        try await connection.query(
            """
            SELECT t.id, count(*)::int FROM tenants t
            LEFT JOIN LATERAL (
                SELECT c.txid, c.global_position FROM projection_checkpoints c
                WHERE c.projection = \(Reactor.checkpointName) AND c.version = 1
                  AND (c.shard IN ('tenant/' || t.id, 'all')
                       OR c.shard LIKE 'shard/%/%'
                          AND split_part(c.shard, '/', 3)::int8 = \(shard(ofTenant: "t.id", count: "split_part(c.shard, '/', 2)::int8")))
                ORDER BY c.txid DESC, c.global_position DESC LIMIT 1
            ) cp ON true
            CROSS JOIN LATERAL (
                SELECT 1 FROM events e
                WHERE e.tenant_id = t.id
                  AND (e.txid, e.global_position) > (coalesce(cp.txid, '0'::xid8), coalesce(cp.global_position, 0))
                LIMIT \(limit)
            ) e
            GROUP BY t.id ORDER BY t.id
            """
        ).decode((String, Int).self).map { (tenant: $0.0, events: $0.1) }
    }
}
