import Chaos
import Foundation
import Logging
import Testing

/// The proof, small: a few seeds of the randomized convergence run (``Chaos/ChaosRunner``) — Stripe edits, an
/// accountant's edits in e-conomic, rule changes, sandbox faults, kills and restarts against a whole Accord
/// process — each checked after quiescence against the run's own record. `bash ops/bench/chaos.sh` runs 200.
///
/// `ACCORD_CHAOS_SEED` and `ACCORD_CHAOS_OPERATIONS` replay one seed (a failure prints the exact command), or run
/// a range of them (`ACCORD_CHAOS_SEED=1-20`); `ACCORD_CHAOS_LOG=1` logs every operation and Accord's own log to stderr.
@Suite("the proof: seeded chaos converges", .serialized, .timeLimit(.minutes(15)))
struct ChaosTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seeds: [UInt64] = environment["ACCORD_CHAOS_SEED"].flatMap(Self.seeds(from:)) ?? [1, 2, 3]
    static let length = environment["ACCORD_CHAOS_OPERATIONS"].flatMap(Int.init) ?? 24

    @Test(
        "Stripe and e-conomic edits, rule changes, faults, kills and restarts end with no duplicate, no lost edit, no divergent field",
        arguments: seeds)
    func seed(_ seed: UInt64) async throws {
        var logger = Logger(label: "accord.chaos")
        logger.logLevel = Self.environment["ACCORD_CHAOS_LOG"] == nil ? .critical : .debug
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let configuration = try ChaosConfiguration.fromEnvironment(
            checkout: checkout, length: Self.length, logger: logger,
            replayCommand: { seed, length in "ACCORD_CHAOS_SEED=\(seed) ACCORD_CHAOS_OPERATIONS=\(length) bash ops/test.sh --filter ChaosTests" })
        let summary = try await ChaosRunner.run(seeds: [seed], configuration: configuration)
        let report = try #require(summary.seeds.first)
        print(report.passed ? report.summaryLine : report.details)
        #expect(report.passed, "\(report.details)\nreplay: \(summary.replayCommand(seed, Self.length))")
        for kind in ChaosFinding.Kind.allCases {
            #expect(report.count(kind) == 0, "seed \(seed): \(kind.rawValue)")
        }
    }

    /// `17` → [17]; `1-20` → [1, …, 20].
    static func seeds(from text: String) -> [UInt64]? {
        let bounds = text.split(separator: "-").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        switch bounds.count {
        case 1: return bounds[0].map { [$0] }
        case 2:
            guard let first = bounds[0], let last = bounds[1], first <= last else { return nil }
            return Array(first...last)
        default: return nil
        }
    }
}
