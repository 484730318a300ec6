import Prometheus
import Testing

@testable import Server

/// The request series are made once and counted into after: a route's requests add up in one series, and a method
/// outside HTTP's common ones is recorded as `other`.
@Suite("request metrics series")
struct RequestSeriesTests {
    static func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test("requests add up per method, route and status; their durations per method and route")
    func addUp() {
        let metrics = ServerMetrics(registry: PrometheusCollectorRegistry())
        for _ in 0..<3 { metrics.request(method: "GET", route: "/health", status: 200, duration: .milliseconds(2)) }
        metrics.request(method: "GET", route: "/health", status: 503, duration: .milliseconds(30))
        let text = metrics.registry.emitToString()
        #expect(Self.value(text, #"http_server_requests_total{method="GET",route="/health",status="200"}"#) == 3)
        #expect(Self.value(text, #"http_server_requests_total{method="GET",route="/health",status="503"}"#) == 1)
        #expect(Self.value(text, #"http_server_request_duration_seconds_count{method="GET",route="/health"}"#) == 4)
    }

    @Test("a method outside the common ones is recorded as other")
    func otherMethods() {
        let metrics = ServerMetrics(registry: PrometheusCollectorRegistry())
        for method in ["PROPFIND", "MKCOL", "PURGE", "PROPFIND", "LINK"] {
            metrics.request(method: method, route: "unmatched", status: 404, duration: .milliseconds(1))
        }
        let text = metrics.registry.emitToString()
        #expect(Self.value(text, #"http_server_requests_total{method="other",route="unmatched",status="404"}"#) == 5)
        #expect(!text.contains("PROPFIND"))
    }
}
