import ArgumentParser
import EventStore
import Foundation
import Logging
import PGClient
import Projections
import SyncDomain

/// Measures `accord replay`'s fold over one tenant's log (seeded by `rebuild seed --tenants 1`) against a raw
/// `COPY (SELECT … WHERE tenant_id = … ORDER BY txid, global_position) TO STDOUT` of the same events, in the same
/// process: the COPY keeps nothing, so the peak memory printed last is the replay's (its per-customer state and one
/// page of events). Run by `ops/bench/replay.sh`.
struct ReplayBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Replay one tenant's log under proposed settings vs a raw COPY read of the same events.")

    @Option(name: .customLong("database-url")) var databaseURL: String
    @Option(help: "The tenant to replay.") var tenant = "tenant00"
    @Option(help: "Events per page.") var pageSize = 5000

    func run() async throws {
        var logger = Logger(label: "accord.bench")
        logger.logLevel = .warning
        let tenantID = try TenantID(tenant)
        let pool = PGConnectionPool(
            configuration: try benchDatabase(databaseURL), maxConnections: 2, logger: logger)
        let store = EventStore(pool: pool, logger: logger)
        print("Accord replay benchmark — \(try await serverSettings(pool))")
        let counter = ByteCount()
        // COPY takes no bind parameters; a TenantID is lower-case letters, digits, '-' and '_' only, so quoting is safe.
        let tenantLiteral = "'\(tenantID.rawValue)'"
        let (rows, copyTime) = try await measure {
            try await pool.withConnection { connection in
                try await connection.copyOut(
                    """
                    COPY (SELECT global_position, txid, tenant_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at
                          FROM events WHERE tenant_id = \(unsafeRaw: tenantLiteral) ORDER BY txid, global_position) TO STDOUT
                    """
                ) { counter.add($0.count) }
            }
        }
        report(
            "raw COPY of the tenant's events in log order", rate(rows, copyTime), "events/s",
            "\(rows) events, \(counter.total / 1_000_000) MB in \(seconds(copyTime))")
        let memoryBefore = peakResidentMB()

        // A mapping fix: the phone to mobilePhone instead of the telephone number.
        var proposal = TenantSettings.default
        proposal.fieldMappings = FieldMapping.defaults.map { $0.economic == "telephoneAndFaxNumber" ? FieldMapping("phone", to: "mobilePhone") : $0 }
        let (fold, foldTime) = try await measure {
            try await ReplayQueries(store: store).fold(tenant: tenantID, proposal: proposal, pageSize: pageSize)
        }
        report(
            "replay: fold the tenant's log (paged reads + decode + fold)", rate(fold.events, foldTime), "events/s",
            "\(fold.events) events in \(seconds(foldTime))")
        let (summary, reportTime) = await measure { fold.report(limit: 50).summary }
        report(
            "replay: report over every source customer", rate(summary.customers, reportTime), "customers/s",
            "\(summary.customers) customers, \(summary.matchChanged) match differently, \(summary.wouldCreate) would be created")
        let total = foldTime + reportTime
        report("replay, whole", rate(fold.events, total), "events/s", "fold and report")
        report(
            "ratio replay / COPY read", String(format: "%.3f", (Double(fold.events) / total.seconds) / (Double(rows) / copyTime.seconds)), "",
            "replay rate / raw read rate")
        report(
            "peak memory of this process (ru_maxrss)", String(peakResidentMB()), "MB", "\(memoryBefore) MB after the COPY read, which keeps nothing")
        await pool.shutdown()
    }
}
