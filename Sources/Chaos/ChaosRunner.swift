import EconomicSandbox
import Foundation
import Logging

/// Runs seeds (one after another, or a few at a time), each on a fresh database, a fresh e-conomic sandbox and its own localstripe, and
/// sums up what they found.
///
/// One seed: generate its script, start Accord (`accord serve`'s whole service group), set the tenant up, carry out
/// the operations while Accord works, wait for quiescence, then check both systems and Accord's read models against
/// the run's own record (``ChaosChecks``).
public enum ChaosRunner {
    /// Runs `seeds` and returns the summary.
    /// - Throws: ``ChaosSetupError`` or a database error when the cluster cannot be prepared; a seed's own
    ///   failure is a finding of its report, never thrown.
    public static func run(seeds: [UInt64], configuration: ChaosConfiguration) async throws -> ChaosSummary {
        let cluster = try await ChaosCluster.open(url: configuration.databaseURL, logger: configuration.logger)
        var reports: [UInt64: ChaosSeedReport] = [:]
        await withTaskGroup(of: ChaosSeedReport.self) { group in
            var next = seeds.makeIterator()
            for _ in 0..<configuration.parallel {
                guard let seed = next.next() else { break }
                group.addTask { await run(seed: seed, cluster: cluster, configuration: configuration) }
            }
            for await report in group {
                configuration.onSeed(report)
                reports[report.seed] = report
                if let seed = next.next() {
                    group.addTask { await run(seed: seed, cluster: cluster, configuration: configuration) }
                }
            }
        }
        await cluster.close()
        return ChaosSummary(seeds: seeds.compactMap { reports[$0] }, replayCommand: configuration.replayCommand)
    }

    private static func run(seed: UInt64, cluster: ChaosCluster, configuration: ChaosConfiguration) async -> ChaosSeedReport {
        let started = ContinuousClock.now
        let script = ChaosScript(seed: seed, length: configuration.length)
        var report = ChaosSeedReport(
            seed: seed, length: configuration.length, operations: [:], skipped: 0, faultsInjected: 0, kills: 0, restarts: 0, findings: [],
            waiting: [], openConflicts: 0, log: [], duration: .zero)
        do {
            let database = try await cluster.makeDatabase(seed: seed)
            let stripe: LocalStripeProcess
            do {
                stripe = try await LocalStripeProcess.start(python: configuration.python, script: configuration.localStripeScript)
            } catch {
                try? await database.drop()
                throw error
            }
            do {
                try await ChaosSandbox.run(seed: seed, logger: configuration.logger) { sandbox in
                    try await run(script, database: database, sandbox: sandbox, stripe: stripe.baseURL, configuration: configuration, into: &report)
                }
            } catch {
                report.findings.append(ChaosFinding(.runFailed, "\(error)"))
            }
            await stripe.stop()
            if !report.findings.isEmpty, let directory = configuration.evidenceDirectory {
                do {
                    try await database.exportEvents(to: directory.appendingPathComponent("seed-\(seed).events.tsv"))
                } catch {
                    configuration.logger.warning(
                        "the failing seed's event log could not be written", metadata: ["seed": "\(seed)", "error": "\(error)"])
                }
            }
            try await database.drop()
        } catch {
            report.findings.append(ChaosFinding(.runFailed, "\(error)"))
        }
        report.duration = ContinuousClock.now - started
        return report
    }

    private static func run(
        _ script: ChaosScript, database: ChaosDatabase, sandbox: ChaosSandbox, stripe: String, configuration: ChaosConfiguration,
        into report: inout ChaosSeedReport
    ) async throws {
        // Seeds run side by side: each one's log lines say which seed they belong to, and its errors are kept for its
        // report whatever the log level.
        let errors = ChaosErrorLog()
        let logger = errors.logger(like: configuration.logger, seed: script.seed)
        let driver = try await ChaosDriver.start(script: script, database: database, sandbox: sandbox, stripeBase: stripe, logger: logger)
        do {
            for operation in script.operations {
                do {
                    try await driver.apply(operation)
                } catch {
                    throw ChaosOperationError(operation: operation, sequence: driver.model.sequence, underlying: error)
                }
                report.operations[operation.kind, default: 0] += 1
                if case .restart(let whileDown) = operation {
                    for nested in whileDown { report.operations[nested.kind, default: 0] += 1 }
                }
            }
            if let stuck = try await driver.settle(timeout: configuration.settleTimeout) {
                let logged = errors.lines.isEmpty ? "" : "; the last errors Accord logged: \(errors.lines.joined(separator: " | "))"
                report.findings.append(
                    ChaosFinding(.unsettled, "stalled for 150 s, or not at rest after \(configuration.settleTimeout): \(stuck)\(logged)"))
            }
            let observed = try await ChaosObservation.read(driver)
            let outcome = ChaosChecks.run(model: driver.model, observed: observed)
            report.findings += outcome.findings + ChaosChecks.readModels(model: driver.model, observed: observed)
            report.waiting = outcome.waiting
            report.openConflicts = outcome.openConflicts
        } catch {
            report.findings.append(ChaosFinding(.runFailed, "\(error)"))
        }
        report.log = driver.log
        report.skipped = driver.skipped
        report.kills = driver.kills
        report.restarts = driver.restarts
        report.faultsInjected = (try? await sandbox.stats().faultsInjected.values.reduce(0, +)) ?? 0
        do {
            try await driver.stop()
        } catch {
            try? await driver.process.kill(database: database)
        }
    }
}

/// An operation the run could not carry out.
struct ChaosOperationError: Error, CustomStringConvertible {
    let operation: ChaosOperation
    let sequence: Int
    let underlying: any Error

    var description: String { "operation \(sequence) (\(operation)) failed: \(underlying)" }
}
