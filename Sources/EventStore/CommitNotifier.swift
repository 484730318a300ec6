import Logging
import PGClient
import Synchronization

/// Tells subscribers whose events committed: one `pg_notify` per tenant for whatever committed since the last
/// notification, sent by a task of its own after the appends' commits.
///
/// Notifying inside an append's transaction would serialise every writer's commit behind the cluster-wide
/// notification lock, so the store notifies after the commit — and a notification is a transaction of its own, with
/// its own commit record: sent after every append it cost single appends 8 % (idle machine) to a third (loaded) of
/// their rate (`ops/bench/append.sh`; docs/event-store.md). Here the first commit after a quiet spell is notified at
/// once; while a notification is on its way, and for `interval` after it, commits gather, and the next notification
/// names each of their tenants once. A subscriber learns of a commit at most `interval` plus a round trip after it,
/// and a notification only says "read again": a subscriber that misses one (a failed notification is logged and
/// dropped) finds the events on its next poll.
final class CommitNotifier: Sendable {
    private struct State {
        var pending: Set<TenantID> = []
        var sending = false
    }

    private let state = Mutex(State())
    private let pool: PGConnectionPool
    private let interval: Duration
    private let logger: Logger

    /// The shortest time between two notifications: from 10 ms on, appends ran as fast as with no notification at
    /// all; 2 ms gained nothing measurable.
    static let standardInterval = Duration.milliseconds(10)

    /// Makes a notifier that sends on `pool`, at most one notification every `interval`.
    init(pool: PGConnectionPool, interval: Duration = CommitNotifier.standardInterval, logger: Logger) {
        self.pool = pool
        self.interval = interval
        self.logger = logger
    }

    /// Notes that events of `tenants` committed; they are notified at once, or with the next notification.
    func committed(_ tenants: some Sequence<TenantID>) {
        let startsSender = state.withLock { state in
            state.pending.formUnion(tenants)
            guard !state.sending, !state.pending.isEmpty else { return false }
            state.sending = true
            return true
        }
        // The sender carries many appends' notifications: no caller's cancellation may reach it.
        if startsSender { Task { await self.send() } }
    }

    /// Sends what is pending, then waits `interval` and sends what gathered meanwhile, until nothing did.
    private func send() async {
        while true {
            let tenants = state.withLock { state in
                defer { state.pending.removeAll(keepingCapacity: true) }
                if state.pending.isEmpty { state.sending = false }
                return Array(state.pending)
            }
            guard !tenants.isEmpty else { return }
            let sent = ContinuousClock.now
            do {
                try await pool.withConnection { connection in
                    try await connection.execute(
                        "SELECT pg_notify(\(EventStore.notificationChannel), t) FROM unnest(\(tenants.map(\.rawValue))::text[]) AS t")
                }
            } catch {
                logger.debug(
                    "a notification of committed events was not sent; subscribers will find them when they poll",
                    metadata: ["error": "\(error)", "event.tenants": "\(tenants.count)"])
            }
            try? await Task.sleep(until: sent.advanced(by: interval), clock: .continuous)
        }
    }
}
