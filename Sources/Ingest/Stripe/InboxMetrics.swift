public import CoreMetrics
import Metrics

/// The webhook inbox's metrics, recorded through an explicit swift-metrics factory (the server's Prometheus
/// registry in `accord serve`, so `/metrics` shows them; nothing by default):
///
/// - `accord_inbox_processed_total{outcome}`: processed, ignored, retry, failed;
/// - `accord_inbox_backlog`: pending deliveries (refreshed by the processor and on every scrape).
public struct InboxMetrics: Sendable {
    let factory: any MetricsFactory

    /// Metrics recorded through `factory`.
    public init(factory: any MetricsFactory) { self.factory = factory }

    /// Metrics that go nowhere (tools and tests that do not look at them).
    public static var none: InboxMetrics { InboxMetrics(factory: NOOPMetricsHandler.instance) }

    func processed(_ outcome: String) {
        Counter(label: "accord_inbox_processed_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// Records how many deliveries are pending.
    public func backlog(_ count: Int) {
        Gauge(label: "accord_inbox_backlog", factory: factory).record(count)
    }
}
