import Foundation
import Prometheus

/// Where a worker's time went in a run: each step's count, mean and total, read from a step histogram of the
/// process's registry (what `/metrics` shows) — `accord_outbound_step_seconds` or `accord_reactor_step_seconds`.
struct StepReport {
    /// One step's observations.
    struct Line: Equatable {
        var count = 0
        var seconds = 0.0
    }

    /// Per step (the histogram's `step` label).
    let lines: [String: Line]

    /// Reads the histogram's `_sum` and `_count` series from the registry's text exposition.
    init(registry: PrometheusCollectorRegistry, histogram: String) {
        var lines: [String: Line] = [:]
        for row in registry.emitToString().split(separator: "\n") where row.hasPrefix(histogram + "_") {
            // accord_outbound_step_seconds_sum{step="read"} 1.25
            guard let open = row.range(of: "step=\""), let close = row[open.upperBound...].firstIndex(of: "\""),
                let space = row.lastIndex(of: " "), let value = Double(row[row.index(after: space)...])
            else { continue }
            let step = String(row[open.upperBound..<close])
            if row.hasPrefix(histogram + "_sum") { lines[step, default: Line()].seconds = value }
            if row.hasPrefix(histogram + "_count") { lines[step, default: Line()].count = Int(value) }
        }
        self.lines = lines
    }

    /// Printable lines, in the order of `steps` (the order work takes them); `wall` is the run's length (for the
    /// share of time the worker's tasks or slots spent in each step).
    func printable(_ steps: [String], wall: Duration) -> [String] {
        steps.compactMap { step in
            guard let line = lines[step], line.count > 0 else { return nil }
            let name = "  " + step.padding(toLength: 13, withPad: " ", startingAt: 0)
            return name
                + String(
                    format: "%7d × %7.2f ms = %7.2f s (%4.2f busy)", line.count, line.seconds * 1000 / Double(line.count), line.seconds,
                    line.seconds / wall.seconds)
        }
    }
}
