public import CoreMetrics
import Metrics

/// The outbound worker's results, recorded through an explicit swift-metrics factory (the server's Prometheus
/// registry in `accord serve`, so `/metrics` shows them; nothing by default):
///
/// - `accord_outbound_results_total{target,result}`: `target` is `economic` or `stripe`; `result` is `created`,
///   `updated` (a write recorded as succeeded), `reconciled` (a create found already made after a lost answer),
///   `4xx`, `5xx` or `transport` (a failure that will be retried), `429` (a wait for the rate limit, not a failure),
///   `abandoned` (waiting for a person).
public struct OutboundMetrics: Sendable {
    let factory: any MetricsFactory

    /// Metrics recorded through `factory`.
    public init(factory: any MetricsFactory) { self.factory = factory }

    /// Metrics that go nowhere (tools and tests that do not look at them).
    public static var none: OutboundMetrics { OutboundMetrics(factory: NOOPMetricsHandler.instance) }

    func result(_ result: String, target: String) {
        Counter(label: "accord_outbound_results_total", dimensions: [("target", target), ("result", result)], factory: factory).increment()
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
