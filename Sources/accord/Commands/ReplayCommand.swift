import ArgumentParser
import EventStore
import Foundation
import Projections
import SyncDomain

/// `accord replay --tenant T [--customer SYSTEM:ID] --settings FILE [--at POSITION] [--json]`: the tenant's log folded
/// in memory under proposed settings — nothing is written — and what they would change.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a tenant's history under proposed settings and show what they would change (nothing is written).",
        discussion: """
            FILE holds settings JSON in the shape the settings API takes: the body of PUT /api/v1/settings \
            ({"expectedVersion": N, "settings": {...}}) or its settings object alone, as `accord settings show` prints it \
            ("version" may be left out). It is checked as `accord settings set` checks it. For every source customer the \
            replay compares the match result the log records with the proposal's (matched to whom, by which rule and \
            normalised key, or why not), and the e-conomic values actually sent with those the proposal would have sent, \
            field by field. --at POSITION stops at a past global position (see `accord history`) and reports the state \
            then, e.g. which VAT zone a customer was created with, and why. --json prints what \
            POST /api/v1/settings/preview answers.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The tenant.")
    var tenant: String

    @Option(help: "Only this customer, as SYSTEM:ID (stripe:cus_123, file:<key>, or a linked economic:42).")
    var customer: String?

    @Option(help: "The proposed settings (JSON, the settings API's shape).")
    var settings: String

    @Option(help: "Stop at this global position (time travel).")
    var at: Int64?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        do {
            _ = try TenantID(tenant)
        } catch {
            throw ValidationError("'\(tenant)' is not a tenant id: \(error)")
        }
        if let customer, CustomerRef(parsing: customer) == nil {
            throw ValidationError("'\(customer)' is not a customer: write SYSTEM:ID (e.g. stripe:cus_123, economic:42)")
        }
        if let at, at < 1 { throw ValidationError("--at must be a global position (1 or more)") }
    }

    func run() async throws {
        let tenantID = try TenantID(tenant)
        let ref = customer.flatMap(CustomerRef.init(parsing:))
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: settings))
        } catch {
            throw ValidationError("cannot read the settings file \(settings): \(error.localizedDescription)")
        }
        let proposal = try ProposedSettings.decode(data)
        let logger = global.makeLogger("accord.replay")
        let bar = ProgressBar(label: "replay")
        let start = ContinuousClock.now
        let fold = try await withPool(global, logger: logger, maxConnections: 2) { pool in
            guard try await TenantDirectory(pool: pool).contains(tenantID) else {
                throw ReplayError(code: .unknownTenant, message: "tenant '\(tenantID)' is not known (`accord tenant list` shows the tenants)")
            }
            return try await ReplayQueries(store: EventStore(pool: pool, logger: logger)).fold(tenant: tenantID, proposal: proposal, at: at) {
                guard $0.total >= Self.progressThreshold else { return }
                let seconds = (ContinuousClock.now - start) / .seconds(1)
                bar.update(done: $0.read, total: $0.total, rate: seconds > 0 ? Double($0.read) / seconds : 0, final: $0.read >= $0.total)
            }
        }
        let report: ReplayReport
        if let ref {
            guard let entry = fold.customer(ref) else {
                throw ReplayError(
                    code: .unknownCustomer,
                    message: "customer \(ref) is not known in tenant '\(tenantID)'"
                        + (at.map { " up to position \($0)" } ?? "") + (ref.system == .economic ? " as the partner of a source customer" : ""))
            }
            report = fold.report(of: entry)
        } else {
            report = fold.report()
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(ReplayDescription(report, showAll: ref != nil).text)
        }
    }

    /// Tenants with fewer events replay too fast for a progress line to help.
    static let progressThreshold = 10_000
}
