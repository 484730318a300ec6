import CoreMetrics
import Metrics
import Synchronization

/// The request counters and duration timers made so far, by method, route and status, so that a request records into
/// its series without looking it up in the registry again (a lookup under the registry's lock, per request, showed up
/// in profiles under a flood).
///
/// The label set stays small: routes are the router's templates, and a method outside HTTP's common ones (WebDAV's and
/// the others the HTTP parser knows) is recorded as `other`.
final class RequestSeries: Sendable {
    /// The methods recorded by name.
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"]

    private struct Key: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private struct Series: Sendable {
        var requests: Counter
        var duration: Metrics.Timer
    }

    private let made = Mutex<[Key: Series]>([:])

    /// Counts a request and records its duration.
    func record(method: String, route: String, status: Int, duration: Duration, factory: any MetricsFactory) {
        let key = Key(method: Self.knownMethods.contains(method) ? method : "other", route: route, status: status)
        let series = made.withLock { made in
            if let series = made[key] { return series }
            let series = Series(
                requests: Counter(
                    label: "http_server_requests_total",
                    dimensions: [("method", key.method), ("route", key.route), ("status", String(key.status))], factory: factory),
                duration: Metrics.Timer(
                    label: "http_server_request_duration_seconds", dimensions: [("method", key.method), ("route", key.route)],
                    factory: factory))
            made[key] = series
            return series
        }
        series.requests.increment()
        series.duration.record(duration: duration)
    }
}
