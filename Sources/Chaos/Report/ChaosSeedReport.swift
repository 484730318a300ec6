/// What one seed's run did and found.
public struct ChaosSeedReport: Sendable {
    /// The seed.
    public var seed: UInt64
    /// The script's length (what replays it, with the seed).
    public var length: Int
    /// Operations carried out, by kind.
    public var operations: [String: Int]
    /// Operations that had nothing to act on when their turn came.
    public var skipped: Int
    /// Faults the sandbox injected (429s, 5xx, dropped responses), its own count.
    public var faultsInjected: Int
    /// Processes killed without shutting down.
    public var kills: Int
    /// Graceful restarts with the webhook off meanwhile.
    public var restarts: Int
    /// What was found wrong.
    public var findings: [ChaosFinding]
    /// Customers waiting for a person, with the reason shown (not failures).
    public var waiting: [String]
    /// Fields left different with a conflict open for a person (not failures).
    public var openConflicts: Int
    /// One line per operation, in order.
    public var log: [String]
    /// How long the seed took.
    public var duration: Duration

    /// Whether nothing was found wrong.
    public var passed: Bool { findings.isEmpty }

    /// Findings of one kind.
    public func count(_ kind: ChaosFinding.Kind) -> Int { findings.filter { $0.kind == kind }.count }

    /// One line: the seed, what it did, and what it found.
    public var summaryLine: String {
        let found = ChaosFinding.Kind.allCases.compactMap { kind in count(kind) > 0 ? "\(count(kind)) \(kind.rawValue)" : nil }
        return "seed \(seed): \(operations.values.reduce(0, +)) operations (\(skipped) skipped), \(faultsInjected) faults, \(kills) kills, "
            + "\(restarts) restarts, \(openConflicts) open conflicts, \(waiting.count) waiting for a person — "
            + (found.isEmpty ? "ok" : found.joined(separator: ", ")) + " (\(Int(duration.components.seconds)) s)"
    }

    /// The findings and, when there are any, the operations that led to them.
    public var details: String {
        var lines = [summaryLine]
        lines += findings.sorted { $0.kind < $1.kind }.map { "  ✗ \($0)" }
        lines += waiting.map { "  · waiting for a person: \($0)" }
        if !findings.isEmpty { lines += ["  operations:"] + log.map { "    \($0)" } }
        return lines.joined(separator: "\n")
    }
}
