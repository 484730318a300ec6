public import CoreMetrics
import Metrics

/// The outbound worker's results, recorded through an explicit swift-metrics factory (the server's Prometheus
/// registry in `accord serve`, so `/metrics` shows them; nothing by default):
///
/// - `accord_outbound_results_total{target,result}`: `target` is `economic` or `stripe`; `result` is `created`,
///   `updated` (a write recorded as succeeded), `reconciled` (a create found already made after a lost answer),
///   `4xx`, `5xx` or `transport` (a failure that will be retried), `429` (a wait for the rate limit, not a failure),
///   `abandoned` (waiting for a person).
/// - `accord_outbound_step_seconds{step}`: where a request's time goes, one observation per step taken (see
///   ``Step``); its sums over counts are the mean time of each step.
public struct OutboundMetrics: Sendable {
    let factory: any MetricsFactory

    /// Metrics recorded through `factory`.
    public init(factory: any MetricsFactory) { self.factory = factory }

    /// Metrics that go nowhere (tools and tests that do not look at them).
    public static var none: OutboundMetrics { OutboundMetrics(factory: NOOPMetricsHandler.instance) }

    func result(_ result: String, target: String) {
        Counter(label: "accord_outbound_results_total", dimensions: [("target", target), ("result", result)], factory: factory).increment()
    }

    /// The steps of the worker's loop and of one request, as `accord_outbound_step_seconds` names them.
    public enum Step: String, Sendable, CaseIterable {
        /// The queue projection brought up to date before a claim.
        case catchUp = "catch_up"
        /// One claim transaction (every request it returns shares it).
        case claim
        /// When the worker looks next, after a claim short of its limit.
        case nextWakeUp = "next_wake_up"
        /// The request's stream read and folded.
        case read
        /// A claim renewed (before an attempt, and again right before an update's read or a Stripe write).
        case renew
        /// Older requests of the link recorded superseded.
        case supersede
        /// Waiting for the tenant's rate limit toward the target.
        case rateWait = "rate_wait"
        /// A create's lookup of what already matches it, before its first send.
        case lookup
        /// A create's start appended to its stream.
        case start
        /// The write sent and answered (an update's read and write together).
        case send
        /// The outcome decided and appended.
        case record
        /// The claim released.
        case release
    }

    /// Records how long one step took.
    func step(_ step: Step, since start: ContinuousClock.Instant) {
        Metrics.Timer(label: "accord_outbound_step_seconds", dimensions: [("step", step.rawValue)], factory: factory)
            .record(duration: ContinuousClock.now - start)
    }

    /// The class of a failure's HTTP status: `4xx`, `5xx`, or `transport` when there was no answer.
    static func failureClass(httpStatus: Int?) -> String {
        switch httpStatus {
        case .some(400..<500): "4xx"
        case .some(500..<600): "5xx"
        default: "transport"
        }
    }
}
