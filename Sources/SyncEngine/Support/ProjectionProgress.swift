import EventStore
import PGClient
import Projections

/// Waits until read models have applied everything up to a point of the log, so that a decision that looks
/// something up in them (e.g. the reactor's match lookup) sees every event before the one it is handling.
struct ProjectionProgress: Sendable {
    let store: EventStore

    /// Returns when every named projection's active version has a checkpoint at or past `checkpoint`.
    /// - Throws: ``ProjectionError`` with code `busy` if they have not after `timeout` (a stuck projector).
    func waitUntil(_ projections: [String], reached checkpoint: Checkpoint, timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var delay: Duration = .milliseconds(5)
        while true {
            let lagging = try await lagging(projections, behind: checkpoint)
            if lagging.isEmpty { return }
            guard ContinuousClock.now < deadline else {
                throw ProjectionError(code: .busy, message: "read models \(lagging) have not caught up with \(checkpoint); is a projector running?")
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(200))
        }
    }

    /// Whether every named projection's active version has a checkpoint at or past `checkpoint` now.
    func haveReached(_ projections: [String], _ checkpoint: Checkpoint) async throws -> Bool {
        try await lagging(projections, behind: checkpoint).isEmpty
    }

    /// The named projections whose active version is behind `checkpoint`, or has none yet. One statement, so one
    /// snapshot: read in two, a projection registered between them (its runner's first step, as a process starts) was
    /// found without a version by the first and with one by the second, and counted as caught up before it had
    /// applied anything — the reactor then matched against an empty index and created duplicates.
    private func lagging(_ projections: [String], behind checkpoint: Checkpoint) async throws -> [String] {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                SELECT w.name FROM unnest(\(projections)::text[]) AS w(name)
                LEFT JOIN projections p ON p.name = w.name AND p.state = 'active'
                LEFT JOIN projection_checkpoints c ON c.projection = p.name AND c.version = p.version AND c.shard = 'all'
                WHERE p.name IS NULL
                   OR (coalesce(c.txid, '0'::xid8), coalesce(c.global_position, 0))
                      < (\(String(checkpoint.transactionID))::xid8, \(checkpoint.globalPosition))
                """
            ).decode((String).self)
        }
    }
}
