import Foundation

/// The whole machine's CPU time, as Linux counts it in `/proc/stat` (every process: Accord, PostgreSQL, localstripe,
/// the load's own clients): how busy the machine was between two readings. Nil where `/proc/stat` cannot be read.
struct MachineCPU {
    /// Clock ticks spent busy (everything but idle and I/O wait), and in all, across every CPU.
    var busy: Double
    var total: Double

    /// The counters now.
    static func now() -> MachineCPU? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 5 else { return nil }
        let total = ticks.prefix(8).reduce(0, +)
        return MachineCPU(busy: total - ticks[3] - ticks[4], total: total)
    }

    /// The share of the machine busy since `earlier` (0…1).
    func busyShare(since earlier: MachineCPU) -> Double {
        (busy - earlier.busy) / max(total - earlier.total, 1)
    }

    /// CPU seconds spent busy since `earlier`, across every CPU (clock ticks are 1/100 s on Linux).
    func busySeconds(since earlier: MachineCPU) -> Double {
        (busy - earlier.busy) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
