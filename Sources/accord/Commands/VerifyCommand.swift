import ArgumentParser
import EventStore
import Foundation
import Projections
import Runtime
import UnixSignals

/// `accord verify --tenant T [--projection NAME]`: rebuilds a tenant's read models from its events into staging tables
/// and compares them row by row with the live rows. Exit status 0 when identical, 1 when not, 2 on error.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Rebuild a tenant's read models from its events into staging tables and compare them with the live ones.",
        discussion: """
            Each projection's rows of the tenant are rebuilt into a staging copy of its tables (never the live ones, never \
            visible to readers, dropped afterwards, also on an error or Ctrl-C), up to the position the live projector has \
            applied, and compared row by row with the live rows: `identical`, or the rows that differ (key, column, live \
            value, rebuilt value). Events the live projector has not applied yet are reported as `behind`, not as \
            differences. Exit status: 0 identical, 1 differences, 2 error. Projections: \
            \(AccordServices.projectors.map(\.name).joined(separator: ", ")).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The tenant whose rows are compared.")
    var tenant: String

    @Option(help: "Verify only this projection (default: all).")
    var projection: String?

    @Option(help: "The most differing rows shown per table (all are counted).")
    var show = 20

    @Option(help: "Events per transaction of the rebuild.")
    var batchSize = 5000

    @Flag(help: "Print the reports as JSON.")
    var json = false

    func validate() throws {
        if let projection, !AccordServices.projectors.contains(where: { $0.name == projection }) {
            throw ValidationError(
                "unknown projection '\(projection)'; choose one of: \(AccordServices.projectors.map(\.name).joined(separator: ", "))")
        }
        guard show >= 1 else { throw ValidationError("--show must be 1 or more") }
        guard (100...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 100 and 100000") }
    }

    func run() async throws {
        let identical: Bool
        do {
            identical = try await untilInterrupted { try await verify() }
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("accord verify: error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if !identical { throw ExitCode(1) }
    }

    /// Verifies every projection asked for; true when all are identical.
    private func verify() async throws -> Bool {
        let tenantID = try TenantID(tenant)
        let projectors = AccordServices.projectors.filter { projection == nil || $0.name == projection }
        let logger = global.makeLogger("accord.verify")
        return try await withPool(global, logger: logger, maxConnections: 2) { pool in
            guard try await TenantDirectory(pool: pool).contains(tenantID) else {
                throw ValidationError("tenant '\(tenantID)' does not exist (`accord tenant list` shows the tenants)")
            }
            let verifier = Verifier(store: EventStore(pool: pool, logger: logger), logger: logger)
            var identical = true
            var reports: [VerifyReport] = []
            for projector in projectors {
                let bar = ProgressBar(label: "verify \(projector.name)")
                let report: VerifyReport
                do {
                    report = try await verifier.verify(projector, tenant: tenantID, shown: show, batchSize: batchSize) { progress in
                        guard progress.total >= Self.progressThreshold else { return }
                        bar.update(done: progress.done, total: progress.total, rate: progress.rate, final: progress.done >= progress.total)
                    }
                } catch let error as ProjectionError where error.code == .notStarted {
                    if !json { print("\(projector.name): not started yet, nothing to compare") }
                    continue
                }
                identical = identical && report.identical
                if json { reports.append(report) } else { print(VerifyDescription(report).text) }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(reports), as: UTF8.self))
            }
            return identical
        }
    }

    /// Runs `body`, cancelling it on SIGINT or SIGTERM so that it drops its staging tables before the process ends.
    private func untilInterrupted<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                for await _ in signals { return nil }
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let first else {
                throw VerifyInterrupted()
            }
            return first
        }
    }

    /// Tenants with fewer events rebuild too fast for a progress line to help.
    static let progressThreshold = 10_000
}

/// SIGINT or SIGTERM arrived: the verification was cancelled and its staging tables dropped.
private struct VerifyInterrupted: Error, CustomStringConvertible {
    var description: String { "interrupted; the staging tables were dropped" }
}
