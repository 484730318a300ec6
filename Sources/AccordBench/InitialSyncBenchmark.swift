import ArgumentParser
import EventStore
import Foundation
import Logging
import PGClient
import Projections
import Prometheus
import SyncDomain
import SyncEngine

/// `accord-bench initial-sync`: a tenant's first sync. N e-conomic customers and N Stripe customers, half of them
/// sharing an e-mail, are observed through the command handler (the path every ingest takes), with the projectors
/// running; then the reactor starts and the clock runs until every observation is decided (the matching half linked,
/// the other half's partners requested). With `--tenants 10`, nine more tenants each receive one new customer per
/// second while the first one's observations are decided, and their observed → decided latencies are printed.
/// The baseline, from the same run: a smaller tenant of the same shape decided one event at a time (the reactor's
/// per-event path, as before batches).
struct InitialSyncBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "initial-sync", abstract: "A tenant's initial sync: observed → decided, against deciding one event at a time.")

    @Option(name: .customLong("database-url"), help: "A fresh database (ops/bench/initial-sync.sh makes one).")
    var databaseURL: String

    @Option(help: "Customers on each side (half of them share an e-mail with one on the other side).")
    var customers = 100_000

    @Option(help: "Tenants: the first one syncs, the others receive one change per second each meanwhile.")
    var tenants = 1

    @Option(help: "A tenant's events decided per batch (one read and one append each).")
    var batchSize = 100

    @Option(help: "Customers on each side of the baseline tenant (decided one event at a time).")
    var baselineCustomers = 1_000

    @Option(help: "Observations appended at once while seeding.")
    var concurrency = 8

    func validate() throws {
        guard customers >= 2, tenants >= 1, batchSize >= 1, baselineCustomers >= 2, concurrency >= 1 else {
            throw ValidationError("--customers and --baseline-customers must be at least 2; the others at least 1")
        }
    }

    func run() async throws {
        var logger = Logger(label: "accord.bench")
        logger.logLevel = .warning
        let (pool, tenant) = try await prepareDatabase(url: databaseURL, logger: logger, maxConnections: 16)
        let store = EventStore(pool: pool, logger: logger)
        let handler = CommandHandler(store: store, cache: TenantStateCache(store: store), logger: logger)
        let quiet = try await (1..<tenants).asyncMap { index in
            let id = try TenantID("quiet-\(index)")
            try await TenantDirectory(pool: pool).add(id, name: "Quiet \(index)")
            return id
        }
        let baseline = try TenantID("baseline")
        try await TenantDirectory(pool: pool).add(baseline, name: "Baseline")
        print("Accord initial-sync benchmark — \(try await serverSettings(pool))")
        print(
            "\(thousands(customers)) e-conomic + \(thousands(customers)) Stripe customers, half sharing an e-mail; \(tenants) tenant(s); "
                + "batches of \(batchSize) per tenant")

        let listener = PGListener(
            configuration: try benchDatabase(databaseURL),
            channels: [EventStore.notificationChannel],
            logger: logger)
        let projections = ProjectionRunner(projectors: AccordProjections.all, store: store, listener: listener, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { background in
            background.addTask { try await listener.run() }
            background.addTask { try await projections.run() }
            defer { background.cancelAll() }

            let seeding = try await measure { try await seed(tenant, customers: customers, handler: handler) }.1
            report(
                "observed through the command handler (seeding, not timed below)", rate(2 * customers, seeding), "events/s",
                "\(thousands(2 * customers)) observations in \(seconds(seeding))")

            let last = try await lastEvent(of: tenant, store: store)
            let observedAt = ContinuousClock.now
            let registry = PrometheusCollectorRegistry()
            let reactor = Reactor(
                store: store, cache: TenantStateCache(store: store), listener: listener, batchSize: batchSize,
                metrics: ReactorMetrics(factory: PrometheusMetricsFactory(registry: registry)), logger: logger)
            var latencies: [Duration] = []
            try await withThrowingTaskGroup(of: Void.self) { running in
                running.addTask { try await reactor.run() }
                defer { running.cancelAll() }
                let changes = QuietChanges(tenants: quiet, handler: handler, store: store)
                async let quietLatencies = changes.run(until: { try await decided(tenant, upTo: last, store: store) })
                try await waitUntilDecided(tenant, upTo: last, store: store)
                latencies = try await quietLatencies
            }
            let deciding = ContinuousClock.now - observedAt
            try await check(tenant, customers: customers, store: store)
            report(
                "all observed → all decided", seconds(deciding), "",
                "\(thousands(customers / 2)) links + \(thousands(customers - customers / 2)) creations requested")
            report("events decided", rate(2 * customers, deciding), "events/s", "observations handled, both sides")
            report("decisions (links + creations)", rate(customers, deciding), "/s", "peak RSS \(peakResidentMB()) MB")
            if !quiet.isEmpty { QuietChanges.printLatencies(latencies, tenants: quiet.count) }
            print("reactor, where its time went (each step: times taken × mean = total; busy = total / time to decide):")
            StepReport(registry: registry, histogram: "accord_reactor_step_seconds")
                .printable(ReactorMetrics.Step.allCases.map(\.rawValue), wall: deciding).forEach { print($0) }

            // The baseline: the same shape, smaller, decided event by event (its own shard count: its own leases).
            try await seed(baseline, customers: baselineCustomers, handler: handler)
            let baselineLast = try await lastEvent(of: baseline, store: store)
            let start = ContinuousClock.now
            let perEvent = Reactor(
                store: store, cache: TenantStateCache(store: store), listener: listener, batchSize: batchSize,
                sharding: ReactorSharding(shards: 1, tasks: 1), decidesInBatches: false, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { running in
                running.addTask { try await perEvent.run() }
                defer { running.cancelAll() }
                try await waitUntilDecided(baseline, upTo: baselineLast, store: store)
            }
            let oneByOne = ContinuousClock.now - start
            try await check(baseline, customers: baselineCustomers, store: store)
            report(
                "baseline: one event at a time (\(thousands(2 * baselineCustomers)) events)", rate(2 * baselineCustomers, oneByOne), "events/s",
                "in \(seconds(oneByOne))")
            let ratio = (Double(2 * customers) / deciding.seconds) / (Double(2 * baselineCustomers) / oneByOne.seconds)
            report("ratio batches / one at a time", String(format: "%.1f", ratio), "", "events decided per second")
        }
    }

    /// Observes `count` e-conomic customers, then `count` Stripe customers, the first half of each sharing e-mails.
    private func seed(_ tenant: TenantID, customers count: Int, handler: CommandHandler) async throws {
        let metadata = CommandMetadata(actor: "bench:initial-sync")
        try await concurrently(count) { index in
            let email = index < count / 2 ? "shared-\(index)@bench.example" : "economic-\(index)@bench.example"
            let fields = ["name": "Customer \(index) ApS", "email": email, "currency": "DKK", "address.country": "DK"]
            _ = try await handler.observeCustomer(
                CustomerObserved(customer: .economic(index + 1), fields: fields), tenant: tenant, metadata: metadata)
        }
        try await concurrently(count) { index in
            let email = index < count / 2 ? "shared-\(index)@bench.example" : "stripe-\(index)@bench.example"
            let fields = ["name": "Customer \(index) ApS", "email": email, "address.country": "DK"]
            _ = try await handler.observeCustomer(
                CustomerObserved(customer: .stripe("cus_\(index)"), fields: fields), tenant: tenant, metadata: metadata)
        }
    }

    /// Where the tenant's last event stands in the log (after seeding: its last observation).
    private func lastEvent(of tenant: TenantID, store: EventStore) async throws -> Checkpoint {
        try await store.pool.withTransaction(scope: .system) { connection in
            let (txid, position) = try await connection.query(
                """
                SELECT txid, global_position FROM events WHERE tenant_id = \(tenant.rawValue) ORDER BY txid DESC, global_position DESC LIMIT 1
                """
            ).decode((UInt64, Int64).self)[0]
            return Checkpoint(transactionID: txid, globalPosition: position)
        }
    }

    /// Whether the reactor has handled the tenant's events up to `last` (its own checkpoint, or the low-water mark).
    private func decided(_ tenant: TenantID, upTo last: Checkpoint, store: EventStore) async throws -> Bool {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                SELECT EXISTS (
                    SELECT 1 FROM projection_checkpoints
                    WHERE projection = \(Reactor.checkpointName) AND shard IN (\("tenant/\(tenant)"), 'all')
                      AND (txid, global_position) >= (\(String(last.transactionID))::xid8, \(last.globalPosition)))
                """
            ).singleValue(Bool.self) ?? false
        }
    }

    private func waitUntilDecided(_ tenant: TenantID, upTo last: Checkpoint, store: EventStore) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(7_200))
        while try await !decided(tenant, upTo: last, store: store) {
            guard ContinuousClock.now < deadline else { throw ValidationError("\(tenant) was not decided within two hours") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Every matching pair linked once and every other Stripe customer's partner requested once.
    private func check(_ tenant: TenantID, customers count: Int, store: EventStore) async throws {
        let (links, creations) = try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                SELECT count(*) FILTER (WHERE type = \(PartnerLinked.typeName)), count(*) FILTER (WHERE type = \(PartnerCreationRequested.typeName))
                FROM events WHERE tenant_id = \(tenant.rawValue)
                """
            ).decode((Int, Int).self)[0]
        }
        guard links == count / 2, creations == count - count / 2 else {
            throw ValidationError("\(tenant): \(links) links and \(creations) creations, expected \(count / 2) and \(count - count / 2)")
        }
    }

    /// Runs `body` for 0..<count with at most `concurrency` calls at once.
    private func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            var next = 0
            while next < min(concurrency, count) {
                let index = next
                tasks.addTask { try await body(index) }
                next += 1
            }
            while try await tasks.next() != nil, next < count {
                let index = next
                tasks.addTask { try await body(index) }
                next += 1
            }
            try await tasks.waitForAll()
        }
    }
}

extension Sequence where Element: Sendable {
    /// `map` with an async transform, one element at a time.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
