public import PGClient

/// Turns between tenants for the queues that workers claim from (table `claim_turns`, migration 0014): when each
/// tenant last had rows claimed. A claim orders the tenants that have due rows by it, the oldest turn first, so
/// claims alternate between tenants instead of serving the oldest rows of whichever tenant has the biggest backlog.
///
/// Claims of one queue run one at a time (``beginClaim(_:on:)``, a transaction-level advisory lock held for the claim's
/// few milliseconds), which keeps the turns in order across workers and processes and lets a claim count what the
/// claims before it took (the outbound queue's cap on a tenant's requests in flight).
public enum ClaimTurns {
    /// A queue whose claims take turns.
    public enum Queue: String, Sendable {
        /// The webhook inbox.
        case inbox
        /// The outbound queue.
        case outbound
    }

    /// Starts a claim of `queue` in the current transaction: waits until no other claim of it runs, and turns JIT
    /// compilation off for the rest of the transaction. Run it as its own statement before the claim, so that the
    /// claim's snapshot sees everything the claim before it committed.
    ///
    /// JIT: a claim probes every tenant, so with many tenants its estimated cost passes `jit_above_cost` although it
    /// runs in milliseconds; compiling it took 0.5–4 s per claim with 1,000 tenants (measured on PostgreSQL 15; with
    /// JIT off the same claim took 3–7 ms).
    /// - Throws: ``PGError``.
    public static func beginClaim(_ queue: Queue, on connection: PGConnection) async throws {
        try await connection.execute(beginning(queue))
    }

    /// ``beginClaim(_:on:)``'s statement, for a claim sent as one pipeline (its first statement after the scope).
    public static func beginning(_ queue: Queue) -> PGQuery {
        "SELECT set_config('jit', 'off', true), pg_advisory_xact_lock(hashtextextended('accord.claims/' || \(queue.rawValue), 0))"
    }

    /// A data-modifying `WITH` query that records a turn now for every tenant of `relation` (a `WITH` query of the same
    /// claim statement with a `tenant_id` column): for a claim that records its turns in the statement that claims.
    public static func recording(_ queue: Queue, tenantsOf relation: String) -> PGQuery {
        recording(queue, tenantsFrom: PGQuery(unsafeSQL: relation))
    }

    /// The upsert of turns, of every distinct `tenant_id` of the `FROM` item `source`.
    private static func recording(_ queue: Queue, tenantsFrom source: PGQuery) -> PGQuery {
        """
        INSERT INTO claim_turns (queue, tenant_id, last_turn_at)
        SELECT \(queue.rawValue), tenant_id, clock_timestamp() FROM (SELECT DISTINCT tenant_id FROM \(source)) AS t
        ON CONFLICT (queue, tenant_id) DO UPDATE SET last_turn_at = excluded.last_turn_at
        """
    }

    /// Records that `tenants` had a turn now, in the claim's transaction (system scope).
    /// - Throws: ``PGError``.
    public static func record(_ tenants: [TenantID], queue: Queue, on connection: PGConnection) async throws {
        guard !tenants.isEmpty else { return }
        try await connection.execute(recording(queue, tenantsFrom: "unnest(\(tenants.map(\.rawValue))::text[]) AS u(tenant_id)"))
    }
}
