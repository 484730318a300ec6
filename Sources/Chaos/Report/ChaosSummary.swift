/// The totals of a chaos run over several seeds, and how to replay the first one that failed.
public struct ChaosSummary: Sendable {
    /// Every seed's report, in the order run.
    public var seeds: [ChaosSeedReport]
    /// The command that runs one seed again (seed, script length).
    public var replayCommand: @Sendable (UInt64, Int) -> String

    /// Findings of one kind over every seed.
    public func count(_ kind: ChaosFinding.Kind) -> Int { seeds.reduce(0) { $0 + $1.count(kind) } }

    /// The first seed that found something.
    public var firstFailure: ChaosSeedReport? { seeds.first { !$0.passed } }

    /// Whether every seed passed.
    public var passed: Bool { firstFailure == nil }

    /// The totals, as `ops/bench/chaos.sh` prints them.
    public var text: String {
        let operations = seeds.reduce(0) { $0 + $1.operations.values.reduce(0, +) }
        var lines = [
            "seeds run: \(seeds.count) (\(seeds.filter(\.passed).count) passed)",
            "operations: \(operations) (\(seeds.reduce(0) { $0 + $1.skipped }) skipped: nothing to act on yet)",
            "faults injected: \(seeds.reduce(0) { $0 + $1.faultsInjected })",
            "kills: \(seeds.reduce(0) { $0 + $1.kills }), restarts: \(seeds.reduce(0) { $0 + $1.restarts })",
            "open conflicts left for a person: \(seeds.reduce(0) { $0 + $1.openConflicts }), customers waiting for a person: "
                + "\(seeds.reduce(0) { $0 + $1.waiting.count })",
        ]
        lines += ChaosFinding.Kind.allCases.map { "\($0.rawValue): \(count($0))" }
        let undone = seeds.reduce(0) { $0 + $1.findings.filter(\.undoneInsideReadWriteWindow).count }
        lines.append(
            "  of the lost edits, undone by a PUT that had read the customer before the edit (e-conomic has no conditional write): \(undone)")
        if let failure = firstFailure {
            lines.append("first failing seed: \(failure.seed) — replay: \(replayCommand(failure.seed, failure.length))")
        } else {
            lines.append("first failing seed: none")
        }
        return lines.joined(separator: "\n")
    }
}
