public import CoreMetrics
public import Ingest
import Metrics
public import Prometheus

/// The server's metrics, registered in one Prometheus registry (through swift-metrics with an explicit factory,
/// so tests and several apps in one process never share global state):
///
/// - `http_server_requests_total{method,route,status}` and `http_server_request_duration_seconds{method,route}`
///   (``RequestSeries``): the route is the matched route's template, `unmatched`, or `edge` for a request refused on
///   its connection before routing (``ClientLimitRefusalHandler``); a method outside HTTP's common ones is `other`;
/// - `accord_webhook_deliveries_total{outcome}`: accepted, duplicate, rejected (bad signature, stale,
///   malformed), unknown_endpoint (no secret for the tenant, or no such tenant), too_large;
/// - the webhook inbox's (``Ingest/InboxMetrics``), in the same registry through ``inbox``;
/// - the outbound queue's, the followers' lag per tenant and the pool's, set at each scrape (``record(_:)``).
public struct ServerMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// The follower lags reported at the last scrape (see `ServerMetrics+Operations.swift`).
    let lagReported = ReportedLags()
    /// The request series made so far (shared by every copy).
    let requestSeries = RequestSeries()
    /// `accord_webhook_deliveries_total`, one counter per outcome, made once.
    let webhookDeliveries: [WebhookOutcome: CoreMetrics.Counter]

    /// Makes the metrics over a registry.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        ]
        self.factory = factory
        self.webhookDeliveries = Dictionary(
            uniqueKeysWithValues: WebhookOutcome.allCases.map { outcome in
                let dimensions = [("outcome", outcome.rawValue)]
                return (outcome, CoreMetrics.Counter(label: "accord_webhook_deliveries_total", dimensions: dimensions, factory: factory))
            })
    }

    func request(method: String, route: String, status: Int, duration: Duration) {
        requestSeries.record(method: method, route: route, status: status, duration: duration, factory: factory)
    }

    func webhook(_ outcome: WebhookOutcome) {
        webhookDeliveries[outcome]?.increment()
    }

    /// The inbox processor's metrics, in this registry (the processor runs outside the server).
    public var inbox: InboxMetrics { InboxMetrics(factory: factory) }

    /// The factory of this registry, for the services beside the server (the outbound worker's results).
    public var metricsFactory: any MetricsFactory { factory }
}
