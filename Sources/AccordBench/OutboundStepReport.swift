import Foundation
import Outbound
import Prometheus

/// Where the outbound worker's time went in a run: each step's count, mean and total, read from the
/// `accord_outbound_step_seconds` histogram of the process's registry (what `/metrics` shows).
struct OutboundStepReport {
    /// One step's observations.
    struct Line: Equatable {
        var count = 0
        var seconds = 0.0
    }

    /// Per step (``Outbound/OutboundMetrics/Step`` raw values).
    let lines: [String: Line]

    /// Reads the histogram's `_sum` and `_count` series from the registry's text exposition.
    init(registry: PrometheusCollectorRegistry) {
        var lines: [String: Line] = [:]
        for row in registry.emitToString().split(separator: "\n") where row.hasPrefix("accord_outbound_step_seconds_") {
            // accord_outbound_step_seconds_sum{step="read"} 1.25
            guard let open = row.range(of: "step=\""), let close = row[open.upperBound...].firstIndex(of: "\""),
                let space = row.lastIndex(of: " "), let value = Double(row[row.index(after: space)...])
            else { continue }
            let step = String(row[open.upperBound..<close])
            if row.hasPrefix("accord_outbound_step_seconds_sum") { lines[step, default: Line()].seconds = value }
            if row.hasPrefix("accord_outbound_step_seconds_count") { lines[step, default: Line()].count = Int(value) }
        }
        self.lines = lines
    }

    /// Printable lines, in the order a request takes the steps; `wall` is the run's length (for the share of time
    /// the worker's slots spent in each step).
    func printable(wall: Duration) -> [String] {
        OutboundMetrics.Step.allCases.compactMap { step in
            guard let line = lines[step.rawValue], line.count > 0 else { return nil }
            let name = "  " + step.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
            return name
                + String(
                    format: "%7d × %7.2f ms = %7.2f s (%4.2f slots busy)", line.count, line.seconds * 1000 / Double(line.count), line.seconds,
                    line.seconds / wall.seconds)
        }
    }
}
