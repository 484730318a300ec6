import ArgumentParser
import EventStore
import Foundation
import Logging
import PGClient
import Projections
import SyncDomain

/// Seeds a database with realistic domain events (`seed`), then measures rebuilding every projection from the
/// first event against a raw `COPY (SELECT … ORDER BY txid, global_position) TO STDOUT` of the same events
/// (`run`). Run as two processes by `ops/bench/rebuild.sh`, so the peak memory is the rebuild's own.
struct RebuildBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild", abstract: "Rebuild every projection vs a raw COPY read of the same events.", subcommands: [Seed.self, Run.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fill a fresh database with domain events (setup, not measured).")

        @Option(name: .customLong("database-url")) var databaseURL: String
        @Option(help: "How many events to write per run, at least (spread over the tenants).") var events = 1_000_000
        @Option(help: "Tenants to spread them over.") var tenants = 10

        func run() async throws {
            var logger = Logger(label: "accord.bench")
            logger.logLevel = .warning
            let (pool, _) = try await prepareDatabase(url: databaseURL, logger: logger, maxConnections: 2)
            let perTenant = (events + tenants - 1) / tenants
            var written = 0
            for index in 0..<tenants {
                let tenant = try TenantID(String(format: "tenant%02d", index))
                if try await !TenantDirectory(pool: pool).contains(tenant) { try await TenantDirectory(pool: pool).add(tenant, name: tenant.rawValue) }
                written += try await seed(tenant: tenant, events: perTenant, pool: pool)
            }
            print("seeded \(written) events for \(tenants) tenants")
            await pool.shutdown()
        }

        /// One tenant's history: customers on both sides observed several times, links, syncs and conflicts.
        private func seed(tenant: TenantID, events: Int, pool: PGConnectionPool) async throws -> Int {
            // Per customer: 5 Stripe observations, 1 e-conomic one, and for every second customer a link and 4 more
            // partner events: 8.5 events on average.
            let customers = max(10, (events * 2 + 16) / 17)  // rounded up: at least `events` events
            var batch = PGCopyBatch(capacity: 4 << 20)
            var count = 0
            var partnersVersion: Int64 = 0
            func add(_ event: SyncEvent, stream: String, version: Int64) throws {
                let encoded = try event.encode()
                batch.appendRow([
                    tenant.rawValue, stream, String(version), encoded.type, String(encoded.schemaVersion),
                    String(decoding: encoded.data, as: UTF8.self), #"{"actor":"bench"}"#,
                ])
                count += 1
            }
            func flush() async throws {
                let chunk = batch
                batch.removeAll()
                try await pool.withConnection { connection in
                    try await connection.copyIn(
                        "COPY events (tenant_id, stream_id, stream_version, type, schema_version, data, metadata) FROM STDIN"
                    ) { try await $0.write(chunk) }
                }
            }
            for number in 0..<customers {
                let stripe = CustomerRef.stripe(String(format: "cus_%08d", number))
                let economic = CustomerRef.economic(100_000 + number)
                for version in 1...5 {
                    try add(
                        .customerObserved(CustomerObserved(
                            customer: stripe,
                            fields: ["name": "Customer \(number) v\(version)", "email": "c\(number)@example.com", "phone": "+45 \(20_000_000 + number)",
                                     "address.line1": "Vestergade \(number % 90)", "address.city": "København", "address.country": "DK"],
                            sourceEventId: "evt_\(number)_\(version)")),
                        stream: StreamName.customer(stripe).rawValue, version: Int64(version))
                }
                try add(
                    .customerObserved(CustomerObserved(
                        customer: economic,
                        fields: ["name": "Customer \(number)", "email": "c\(number)@example.com", "currency": "DKK", "customerGroup": "1",
                                 "paymentTerms": "1", "vatZone": "1"])),
                    stream: StreamName.customer(economic).rawValue, version: 1)
                if number % 2 == 0 {
                    let link = LinkID(NameBasedUUID.make(namespace: UUID(uuidString: "6f1c5f5e-0d55-4a55-9a0f-5c3d2b1a0e99")!, name: "\(tenant)/\(number)"))
                    partnersVersion += 1
                    try add(
                        .partnerLinked(PartnerLinked(
                            linkId: link, source: stripe, economic: economic, origin: .autoMatch(key: MatchKey(kind: .email, normalizedValue: "c\(number)@example.com")),
                            agreed: ["name": "Customer \(number)"])),
                        stream: StreamName.partners.rawValue, version: partnersVersion)
                    for round in 0..<4 {
                        partnersVersion += 1
                        let event: SyncEvent = round == 1
                            ? .conflictDetected(ConflictDetected(linkId: link, field: "name", sourceValue: "A", economicValue: "B", baseValue: "C"))
                            : .linkSynced(LinkSynced(linkId: link, agreed: ["name": "Customer \(number) r\(round)"], clearedConflicts: ["name"]))
                        try add(event, stream: StreamName.partners.rawValue, version: partnersVersion)
                    }
                }
                if batch.bytes.count > 4 << 20 { try await flush() }
            }
            try await flush()
            return count
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Measure: COPY read of every event, then a rebuild of every projection.")

        @Option(name: .customLong("database-url")) var databaseURL: String
        @Option(help: "Events per rebuild transaction.") var batchSize = 5000

        func run() async throws {
            var logger = Logger(label: "accord.bench")
            logger.logLevel = .warning
            let pool = PGConnectionPool(configuration: try benchDatabase(databaseURL), maxConnections: 3, logger: logger)
            let store = EventStore(pool: pool, logger: logger)
            print("Accord rebuild benchmark — \(try await serverSettings(pool))")
            let total = try await pool.withConnection { try await $0.query("SELECT count(*) FROM events").singleValue(Int.self) ?? 0 }
            let counter = ByteCount()
            let (rows, copyTime) = try await measure {
                try await pool.withConnection { connection in
                    try await connection.copyOut(
                        """
                        COPY (SELECT global_position, txid, tenant_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at
                              FROM events ORDER BY txid, global_position) TO STDOUT
                        """
                    ) { counter.add($0.count) }
                }
            }
            report("raw COPY (SELECT … ORDER BY txid, global_position) TO STDOUT", rate(rows, copyTime), "events/s",
                   "\(rows) events, \(counter.total / 1_000_000) MB in \(seconds(copyTime))")
            let rebuilder = Rebuilder(store: store, logger: logger)
            var rebuiltEvents = 0
            var rebuildTime = Duration.zero
            for projector in AccordProjections.all {
                let result = try await rebuilder.rebuild(projector, reason: "benchmark", batchSize: batchSize)
                report("rebuild \(projector.name) (to version \(result.version))", rate(result.events, result.elapsed), "events/s",
                       "\(result.events) events in \(seconds(result.elapsed))")
                rebuiltEvents += result.events
                rebuildTime += result.elapsed
            }
            let perProjection = Double(rebuiltEvents) / Double(AccordProjections.all.count)
            report("rebuild, average per projection", rate(Int(perProjection), rebuildTime / AccordProjections.all.count), "events/s",
                   "\(AccordProjections.all.count) projections over \(total) events")
            report("ratio rebuild / COPY read", String(format: "%.3f", (perProjection / (rebuildTime / AccordProjections.all.count).seconds) / (Double(rows) / copyTime.seconds)),
                   "", "average rebuild rate / raw read rate")
            report("peak memory of this process (ru_maxrss)", String(peakResidentMB()), "MB", "the COPY read keeps nothing; this is the rebuilds'")
            await pool.shutdown()
        }
    }
}

/// Adds up bytes from a COPY callback (called on the connection's thread).
final class ByteCount: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add(_ count: Int) { lock.withLock { value += count } }
    var total: Int { lock.withLock { value } }
}
