public import CoreMetrics
import Metrics

/// The metrics of rebuilds done on request (``RebuildRequestService``), recorded through an explicit swift-metrics
/// factory (the server's Prometheus registry in `accord serve`; nothing by default):
///
/// - `accord_rebuilds_total{projection,result}`: `finished` or `failed` (tried again later);
/// - `accord_rebuild_duration_seconds{projection}`: how long each rebuild ran, whatever its result;
/// - `accord_rebuilds_running`: rebuilds running now in this process.
public struct RebuildMetrics: Sendable {
    let factory: any MetricsFactory

    /// Metrics recorded through `factory`.
    public init(factory: any MetricsFactory) { self.factory = factory }

    /// Metrics that go nowhere.
    public static var none: RebuildMetrics { RebuildMetrics(factory: NOOPMetricsHandler.instance) }

    func started() { running.increment(by: 1) }

    func ended(_ projection: String, failed: Bool, after duration: Duration) {
        running.decrement(by: 1)
        Counter(
            label: "accord_rebuilds_total", dimensions: [("projection", projection), ("result", failed ? "failed" : "finished")], factory: factory
        ).increment()
        Metrics.Timer(label: "accord_rebuild_duration_seconds", dimensions: [("projection", projection)], factory: factory).record(duration: duration)
    }

    private var running: Meter { Meter(label: "accord_rebuilds_running", factory: factory) }
}
