import Foundation

/// A progress line on standard error: a bar with done/total, the rate and the time left. On a terminal it
/// redraws in place; otherwise (logs, CI) it prints a line every few seconds.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let unit: String
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var lastPrinted = ContinuousClock.now - .seconds(60)
    private var finished = false

    init(label: String, unit: String = "events") {
        self.label = label
        self.unit = unit
    }

    /// Shows progress (throttled); `final` always prints and ends the line, and the bar ignores what comes after it.
    func update(done: Int, total: Int, rate: Double, final: Bool = false) {
        lock.withLock {
            let now = ContinuousClock.now
            guard !finished, final || now - lastPrinted >= (isTerminal ? .milliseconds(100) : .seconds(5)) else { return }
            lastPrinted = now
            finished = final
            let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let remaining = rate > 0 ? Double(max(0, total - done)) / rate : 0
            let line = "\(label) [\(bar)] \(Self.number(done))/\(Self.number(total)) \(unit)  \(Self.number(Int(rate))) \(unit)/s"
                + (final ? "" : "  ETA \(Int(remaining.rounded()))s")
            let text = isTerminal ? "\r\u{1B}[K" + line + (final ? "\n" : "") : line + "\n"
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    static func number(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }
}
