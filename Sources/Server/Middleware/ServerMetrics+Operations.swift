import CoreMetrics
import Ingest
import Metrics
import Synchronization

/// The operations gauges, set from one ``OperationsSnapshot`` per scrape:
///
/// - `accord_outbound_requests{status}`: open requests by status (`pending`, `failed_waiting`, `rate_limited`),
///   `abandoned` ones waiting for a person, and `in_flight` (claimed now);
/// - `accord_outbound_oldest_due_seconds`: how long the longest-due open request has been due;
/// - `accord_follower_lag_events{follower,tenant}`: events of a tenant a projection or the reactor has not applied
///   (0 once it has caught up);
/// - `accord_db_pool_connections{state}` (`in_use`, `idle`) and `accord_db_pool_waiting`: the server process's pool.
extension ServerMetrics {
    /// The statuses always reported (0 when none), so a drained queue shows 0 rather than its last value.
    static let outboundStatuses = ["pending", "failed_waiting", "rate_limited", "abandoned", "in_flight"]

    /// Sets the gauges; a follower and tenant reported behind before and caught up now is set to 0.
    func record(_ snapshot: OperationsSnapshot) {
        inbox.backlog(snapshot.inboxBacklog)
        for status in Self.outboundStatuses {
            Gauge(label: "accord_outbound_requests", dimensions: [("status", status)], factory: factory).record(snapshot.outbound[status] ?? 0)
        }
        Gauge(label: "accord_outbound_oldest_due_seconds", factory: factory).record(snapshot.oldestDueSeconds)
        let caughtUp = lagReported.replace(with: Set(snapshot.lag.map { LagKey(follower: $0.follower, tenant: $0.tenant) }))
        for lag in snapshot.lag {
            Gauge(label: "accord_follower_lag_events", dimensions: [("follower", lag.follower), ("tenant", lag.tenant)], factory: factory)
                .record(lag.events)
        }
        for key in caughtUp {
            Gauge(label: "accord_follower_lag_events", dimensions: [("follower", key.follower), ("tenant", key.tenant)], factory: factory)
                .record(0)
        }
        Gauge(label: "accord_db_pool_connections", dimensions: [("state", "in_use")], factory: factory).record(snapshot.pool.inUse)
        Gauge(label: "accord_db_pool_connections", dimensions: [("state", "idle")], factory: factory).record(snapshot.pool.idle)
        Gauge(label: "accord_db_pool_waiting", factory: factory).record(snapshot.pool.waiting)
    }
}

/// A follower and a tenant it was reported behind on.
struct LagKey: Hashable, Sendable {
    var follower: String
    var tenant: String
}

/// The follower lags reported at the last scrape (shared by every copy of a ``ServerMetrics``).
final class ReportedLags: Sendable {
    private let keys = Mutex<Set<LagKey>>([])

    /// Records the lags reported now; returns those reported last time and not now (caught up since).
    func replace(with behind: Set<LagKey>) -> Set<LagKey> {
        keys.withLock { keys in
            defer { keys = behind }
            return keys.subtracting(behind)
        }
    }
}
