import ArgumentParser
import Chaos
import Foundation
import Logging

/// `accord-bench chaos`: the proof over many seeds. Each seed runs a generated script of Stripe edits, accountant
/// edits in e-conomic, rule changes, sandbox faults, kills and restarts against a whole Accord process, waits for
/// quiescence and checks both systems and the read models against its own record of what it did (see `Chaos`).
/// Prints one line per seed (the operations of a failing one too) and the totals.
struct ChaosBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos", abstract: "Seeded convergence runs: duplicates, lost edits and divergent fields after quiescence.")

    @Option(name: .customLong("database-url"), help: "The throwaway cluster (ops/bench/chaos.sh starts one); each seed gets its own database.")
    var databaseURL: String

    @Option(help: "A Python with localstripe (each seed starts its own localstripe).")
    var python: String

    @Option(name: .customLong("localstripe-script"), help: "ops/localstripe.py.")
    var localStripeScript: String

    @Option(help: "How many seeds to run.")
    var seeds = 200

    @Option(name: .customLong("first-seed"), help: "The first seed (seeds run first-seed, first-seed + 1, …).")
    var firstSeed: UInt64 = 1

    @Option(help: "Run only this seed (to replay one).")
    var seed: UInt64?

    @Option(help: "Operations per seed.")
    var operations = 40

    @Option(help: "Seeds run at the same time (each with its own database, sandbox, localstripe and Accord); more load, more interleavings.")
    var parallel = 1

    @Flag(help: "Log every operation and Accord's own log at debug level to stderr.")
    var verbose = false

    @Option(name: .customLong("evidence"), help: "A directory where each failing seed's event log is written (seed-N.events.tsv).")
    var evidence: String?

    func run() async throws {
        var logger = Logger(label: "accord.chaos")
        logger.logLevel = verbose ? .debug : .critical
        let length = operations
        var configuration = ChaosConfiguration(
            databaseURL: databaseURL, python: python, localStripeScript: localStripeScript, length: length, parallel: parallel,
            logger: logger, replayCommand: { seed, length in "bash ops/bench/chaos.sh --seed \(seed) --operations \(length)" },
            onSeed: { report in
                Self.say(report.passed ? report.summaryLine : report.details)
            })
        if let evidence {
            try FileManager.default.createDirectory(atPath: evidence, withIntermediateDirectories: true)
            configuration.evidenceDirectory = URL(fileURLWithPath: evidence)
        }
        let list = seed.map { [$0] } ?? (0..<UInt64(max(seeds, 0))).map { firstSeed + $0 }
        Self.say("Accord chaos: \(list.count) seeds of \(length) operations each, \(parallel) at a time")
        let summary = try await ChaosRunner.run(seeds: list, configuration: configuration)
        print("")
        print(summary.text)
        if !summary.passed { throw ExitCode(1) }
    }

    /// Writes a line unbuffered: one line per seed as it ends, also when the output goes to a file.
    private static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
