import ArgumentParser
import EventStore
import Foundation
import Projections
import Runtime

/// `accord rebuild PROJECTION [--tenant T]`: rebuilds a projection from the first event without stopping reads.
struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild a projection from the first event while the current version keeps serving (blue/green).",
        discussion: """
            Without --tenant, the projection's next version is built into new tables and swapped in when it has caught \
            up. With --tenant, only that tenant's rows are rebuilt (in staging tables) and replaced in one transaction. \
            Projections: \(AccordServices.projectors.map(\.name).joined(separator: ", ")), or `all`.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The projection to rebuild, or `all`.")
    var projection: String

    @Option(help: "Rebuild only this tenant's rows.")
    var tenant: String?

    @Option(help: "Events per transaction.")
    var batchSize = 5000

    func validate() throws {
        guard projection == "all" || AccordServices.projectors.contains(where: { $0.name == projection }) else {
            throw ValidationError(
                "unknown projection '\(projection)'; choose one of: \(AccordServices.projectors.map(\.name).joined(separator: ", ")), all")
        }
        guard (100...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 100 and 100000") }
    }

    func run() async throws {
        let logger = global.makeLogger("accord.rebuild")
        let tenantID = try tenant.map { try TenantID($0) }
        let projectors = projection == "all" ? AccordServices.projectors : [AccordServices.projectors.first { $0.name == projection }!]
        try await withPool(global, logger: logger, maxConnections: 2) { pool in
            if let tenantID, try await !TenantDirectory(pool: pool).contains(tenantID) {
                throw ValidationError("tenant '\(tenantID)' does not exist")
            }
            let rebuilder = Rebuilder(store: EventStore(pool: pool, logger: logger), logger: logger)
            for projector in projectors {
                let bar = ProgressBar(label: projector.name)
                let report: Rebuilder.Report
                if let tenantID {
                    report = try await rebuilder.rebuild(projector, tenant: tenantID, batchSize: batchSize) {
                        bar.update(done: $0.done, total: $0.total, rate: $0.rate)
                    }
                } else {
                    report = try await rebuilder.rebuild(projector, reason: "manual rebuild", batchSize: batchSize) {
                        bar.update(done: $0.done, total: $0.total, rate: $0.rate)
                    }
                }
                let seconds = Double(report.elapsed.components.seconds) + Double(report.elapsed.components.attoseconds) / 1e18
                bar.update(done: report.events, total: report.events, rate: Double(report.events) / max(seconds, 1e-9), final: true)
                print(
                    "rebuilt \(report.projection)\(report.tenant.map { " for tenant \($0)" } ?? "") → version \(report.version): "
                        + "\(ProgressBar.number(report.events)) events in \(String(format: "%.1f", seconds)) s")
            }
        }
    }
}
