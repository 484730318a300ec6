import EconomicSandbox
import EventStore
import Foundation
import Ingest
import Outbound
import PGClient
import Runtime
import SyncEngine

extension ChaosDriver {
    /// Where the sync stands, in the terms quiescence is judged by.
    struct Progress: Equatable, CustomStringConvertible {
        /// The last event's position.
        var head: Int64
        /// Followers (active projections, the reactor) that have not applied every event, each with its position and
        /// the first event it has not applied.
        var lagging: [String]
        /// Webhook deliveries waiting.
        var inbox: Int
        /// Rebuilds asked for and not finished: projection, tenant, and since when one is under way.
        var rebuilds: [String]
        /// Outbound requests pending, waiting for a retry, or claimed.
        var outbound: Int
        /// Reactor decisions parked while matching is held (a match-rule change's rebuild), not yet decided.
        var held: Int
        /// Changes of mappings still being carried to the linked pairs.
        var applying = 0
        /// When the reactor lags: its shards' leases and checkpoints (what a stalled reactor is diagnosed by).
        var reactorShards: [String] = []

        /// What changes while the sync moves (a rebuild's age does not count).
        var motion: String { "\(head) \(lagging) \(inbox) \(rebuilds.count) \(outbound) \(held) \(applying)" }

        /// Nothing left to do.
        var isIdle: Bool { lagging.isEmpty && inbox == 0 && rebuilds.isEmpty && outbound == 0 && held == 0 && applying == 0 }

        var description: String {
            "log head \(head), lagging \(lagging.isEmpty ? "none" : lagging.joined(separator: ", ")), inbox \(inbox) pending, "
                + "rebuilds open: \(rebuilds.isEmpty ? "none" : rebuilds.joined(separator: ", ")), \(outbound) outbound requests unsettled, \(held) decisions held, "
                + "\(applying) changes of mappings being applied"
                + (reactorShards.isEmpty ? "" : "; reactor: \(reactorShards.joined(separator: "; "))")
        }
    }

    /// Waits for quiescence: faults off; then, in rounds, a catch-up from Stripe's events list and a full e-conomic
    /// read, and a wait until the inbox is empty, every follower has applied every event, no rebuild is open and no
    /// outbound request is unsettled and no change of mappings is still being applied — until a round appends nothing to
    /// the log.
    /// - Parameters:
    ///   - timeout: how long the sync may take in all.
    ///   - stall: how long it may stand still (nothing appended, nothing moved) without being idle: longer than the
    ///     webhook inbox's lease (120 s), after which a killed processor's deliveries are due again.
    /// - Returns: nil once settled, or where the sync stood when `timeout` passed or it stalled.
    func settle(timeout: Duration, stall: Duration = .seconds(150)) async throws -> Progress? {
        try await sandbox.setKnobs(.none)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var last = try await progress()
        var still = (state: last.motion, since: ContinuousClock.now)
        while ContinuousClock.now < deadline {
            let before = last.head
            try await readStripeEvents()
            try await readEconomic()
            while ContinuousClock.now < deadline {
                last = try await progress()
                if last.isIdle { break }
                if last.motion != still.state {
                    still = (last.motion, ContinuousClock.now)
                } else if ContinuousClock.now - still.since > stall {
                    return last
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            // The pipeline has stopped moving once the reads and what followed them appended nothing.
            if last.isIdle, last.head == before { return nil }
        }
        return last
    }

    /// Where the sync stands now.
    func progress() async throws -> Progress {
        let services = process.services
        let outbound = try await OutboundQueue(store: services.store).counts(for: tenant)
        let inbox = try await services.pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await WebhookInbox.counts(on: connection).pending
        }
        return try await services.pool.withTransaction(scope: .system) { connection in
            let head = try await connection.query("SELECT coalesce(max(global_position), 0) FROM events").singleValue(Int64.self) ?? 0
            // Each lagging follower with where it stands and the first event it has not applied: what a stalled one is
            // stuck on (and a follower that moves is motion).
            let lagging = try await connection.query(
                """
                SELECT f.name || ' (at ' || coalesce(c.global_position, 0) || ', next ' || n.type || ' #' || n.global_position
                       || ' in ' || n.stream_id || ')'
                FROM (
                    SELECT name, version FROM projections WHERE state = 'active'
                    UNION ALL SELECT \(Reactor.checkpointName), 1
                ) f
                LEFT JOIN projection_checkpoints c ON c.projection = f.name AND c.version = f.version AND c.shard = 'all'
                CROSS JOIN LATERAL (
                    SELECT e.type, e.global_position, e.stream_id FROM events e
                    WHERE (e.txid, e.global_position) > (coalesce(c.txid, '0'::xid8), coalesce(c.global_position, 0))
                    ORDER BY e.txid, e.global_position LIMIT 1) n
                ORDER BY f.name
                """
            ).decode(String.self)
            let rebuilds = try await connection.query(
                """
                SELECT projection || ' of ' || coalesce(tenant_id, 'every tenant') || coalesce(
                    ' (started ' || extract(epoch FROM now() - started_at)::bigint || ' s ago)', ' (not started)')
                FROM projection_rebuild_requests WHERE finished_at IS NULL ORDER BY requested_at, id
                """
            ).decode(String.self)
            let held = try await connection.query("SELECT count(*) FROM reactor_held_decisions").singleValue(Int.self) ?? 0
            let applying = try await SettingsApplications.running(on: connection)
            var reactorShards: [String] = []
            if lagging.contains(where: { $0.hasPrefix(Reactor.checkpointName + " ") }) {
                reactorShards = try await connection.query(
                    """
                    SELECT 'checkpoint ' || shard || ' at ' || txid || '/' || global_position FROM projection_checkpoints
                    WHERE projection = \(Reactor.checkpointName) AND shard <> 'all'
                    UNION ALL
                    SELECT 'lease ' || shard_count || '/' || shard || ' ' || coalesce(holder, 'free')
                           || CASE WHEN isfinite(lease_until) THEN ' for ' || round(extract(epoch FROM lease_until - clock_timestamp()))
                                   || ' s' ELSE '' END
                           || CASE WHEN isfinite(turn_at) THEN ', turn ' || round(extract(epoch FROM clock_timestamp() - turn_at)) || ' s ago'
                                   ELSE ', no turn yet' END
                    FROM reactor_shards
                    """
                ).decode(String.self)
            }
            return Progress(
                head: head, lagging: lagging, inbox: inbox, rebuilds: rebuilds,
                outbound: outbound.pending + outbound.failedWaiting + outbound.rateLimited + outbound.inFlight, held: held,
                applying: applying, reactorShards: reactorShards)
        }
    }
}
