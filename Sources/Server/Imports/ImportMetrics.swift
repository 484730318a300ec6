public import CoreMetrics
import Metrics
import SyncEngine

/// The metrics of imports uploaded through the UI and the API (``ImportJobs``), recorded through an explicit
/// swift-metrics factory (the server's Prometheus registry, so `/metrics` shows them; nothing by default):
///
/// - `accord_imports_total{result}`: `completed`, `already_imported` (the same file again: nothing done), or the
///   failure's code (`invalid_file`, `unknown_tenant`, `file_changed`, `interrupted`, `internal`);
/// - `accord_import_rows_total{outcome}`: the rows of completed imports by `added`, `updated`, `unchanged`,
///   `rejected`;
/// - `accord_imports_running`: imports running now;
/// - `accord_import_duration_seconds`: how long each import ran.
public struct ImportMetrics: Sendable {
    let factory: any MetricsFactory

    /// Metrics recorded through `factory`.
    public init(factory: any MetricsFactory) { self.factory = factory }

    /// Metrics that go nowhere.
    public static var none: ImportMetrics { ImportMetrics(factory: NOOPMetricsHandler.instance) }

    func started() { running.increment(by: 1) }

    func finished(_ summary: ImportSummary) {
        running.decrement(by: 1)
        let result = summary.outcome == .completed ? "completed" : "already_imported"
        Counter(label: "accord_imports_total", dimensions: [("result", result)], factory: factory).increment()
        if summary.outcome == .completed {
            for (outcome, count) in [("added", summary.added), ("updated", summary.updated), ("unchanged", summary.unchanged), ("rejected", summary.rejected)]
            where count > 0 {
                Counter(label: "accord_import_rows_total", dimensions: [("outcome", outcome)], factory: factory).increment(by: count)
            }
        }
        Metrics.Timer(label: "accord_import_duration_seconds", factory: factory).record(duration: summary.elapsed)
    }

    func failed(code: String) {
        running.decrement(by: 1)
        Counter(label: "accord_imports_total", dimensions: [("result", code)], factory: factory).increment()
    }

    private var running: Meter { Meter(label: "accord_imports_running", factory: factory) }
}
