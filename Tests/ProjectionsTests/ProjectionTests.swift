import EventSourcing
import EventStore
import Foundation
import Logging
import PGClient
import PostgresTestSupport
import Projections
import SyncDomain
import Testing

@Suite("read models against an in-memory fold", .timeLimit(.minutes(5)))
struct ReadModelTests {
    @Test("for random histories, the PostgreSQL read models equal the in-memory fold of the same events", arguments: [UInt64(1), 2, 3])
    func equalsReferenceFold(seed: UInt64) async throws {
        try await withProjectionStore { store, _, acme, globex in
            let total = try await appendRandomHistories(seed: seed, store: store, tenants: [acme, globex])
            try await catchUpAll(store, total)
            let events = try await allDomainEvents(store)
            #expect(events.count == total)
            let settings = latestSettings(events)
            let reference = ReferenceReadModels.fold(events, settings: { settings[$0] ?? .default })
            let stored = try await StoredReadModels.load(store)
            expectEqual(stored, StoredReadModels(reference))
            stored.expectLinksShowOnCustomers()
            stored.expectCreatedPartnersIndexed()
            #expect(stored.customers.count > 200)
            #expect(!stored.partnerLinks.isEmpty)
            #expect(!stored.conflicts.isEmpty)
            #expect(!stored.matchIndex.isEmpty)
            #expect(!stored.unpartnered.isEmpty)
        }
    }

    @Test("a rebuild produces read models identical to those built live, then serves them")
    func rebuildEqualsLive() async throws {
        try await withProjectionStore { store, database, acme, globex in
            let total = try await appendRandomHistories(seed: 7, store: store, tenants: [acme, globex])
            try await catchUpAll(store, total)
            let live = try await StoredReadModels.load(store)
            let rebuilder = Rebuilder(store: store, logger: database.logger)
            let events = try await allDomainEvents(store)
            for projector in AccordProjections.all {
                let progress = ProgressLog()
                let report = try await rebuilder.rebuild(projector, reason: "test", batchSize: 97) { progress.record($0) }
                let consumed = events.filter { projector.eventTypes?.contains($0.event.typeName) ?? true }.count
                #expect(report.version == 2)
                #expect(report.events == consumed, "\(projector.name) applies exactly the events of its types")
                #expect(progress.last?.done == consumed)
                #expect(progress.last?.total == consumed)
            }
            let rebuilt = try await StoredReadModels.load(store)
            expectEqual(rebuilt, live)
            rebuilt.expectLinksShowOnCustomers()
            let entries = try await ProjectionRegistry(pool: store.pool).entries()
            #expect(entries.allSatisfy { $0.version == 2 && $0.state == .active })
            let oldTable = try await store.pool.withConnection {
                try await $0.query("SELECT to_regclass('customers_v1') IS NULL").singleValue(Bool.self)
            }
            #expect(oldTable == true, "the retired version's tables are dropped")
            // Filled from empty, the new tables have planner statistics before they serve (pg_statistic rows exist
            // only after an ANALYZE).
            let analyzed = try await store.pool.withConnection {
                try await $0.query("SELECT count(*) FROM pg_stats WHERE tablename = 'customers_v2' AND attname = 'external_id'").singleValue(Int.self)
            }
            #expect(analyzed == 1, "the rebuilt customers table was analyzed before it was activated")
        }
    }

    @Test("a rebuild whose fold was interrupted after writing a tenant's rows folds again from empty tables, identical to live")
    func interruptedFoldStartsAgain() async throws {
        try await withProjectionStore { store, database, acme, globex in
            let total = try await appendRandomHistories(seed: 13, store: store, tenants: [acme, globex])
            try await catchUpAll(store, total)
            let live = try await StoredReadModels.load(store)
            let registry = ProjectionRegistry(pool: store.pool)
            for projector in AccordProjections.all where projector is any TenantFoldingProjector {
                // A build that wrote acme's rows and died before its checkpoint moved: its tables hold rows, its checkpoint is
                // at the first event. Written again on top of them, the fold would fail on their keys or keep stale rows.
                let (version, _) = try await registry.beginBuilding(projector, reason: "test")
                let building = ProjectionTarget(projection: projector.name, version: version)
                let active = ProjectionTarget(projection: projector.name, version: try await registry.activeVersion(of: projector))
                try await store.pool.withTransaction(scope: .system) { connection in
                    for table in projector.tables {
                        try await connection.execute(
                            """
                            INSERT INTO \(unsafeRaw: building.table(table.name))
                            SELECT * FROM \(unsafeRaw: active.table(table.name)) WHERE tenant_id = \(acme.rawValue)
                            """)
                    }
                }
                let report = try await Rebuilder(store: store, logger: database.logger).rebuild(projector, reason: "test", batchSize: 53)
                #expect(report.version == version)
            }
            expectEqual(try await StoredReadModels.load(store), live)
        }
    }

    @Test("a per-tenant rebuild replaces only that tenant's rows, identical to live")
    func perTenantRebuild() async throws {
        try await withProjectionStore { store, database, acme, globex in
            let total = try await appendRandomHistories(seed: 11, store: store, tenants: [acme, globex])
            try await catchUpAll(store, total)
            let live = try await StoredReadModels.load(store)
            let rebuilder = Rebuilder(store: store, logger: database.logger)
            for projector in AccordProjections.all {
                let report = try await rebuilder.rebuild(projector, tenant: acme, batchSize: 61)
                #expect(report.tenant == acme)
                #expect(report.events > 0)
            }
            expectEqual(try await StoredReadModels.load(store), live)
            let staging = try await store.pool.withConnection {
                try await $0.query("SELECT count(*) FROM pg_tables WHERE tablename LIKE '%_rb_%'").singleValue(Int.self)
            }
            #expect(staging == 0, "staging tables are dropped")
        }
    }
}

@Suite("exactly-once projection", .timeLimit(.minutes(5)))
struct ExactlyOnceTests {
    @Test("a projector killed mid-batch resumes without applying any event twice or missing one")
    func killedMidBatch() async throws {
        try await withProjectionStore { store, _, acme, globex in
            let total = try await appendRandomHistories(seed: 5, store: store, tenants: [acme, globex], customers: 60, steps: 200)
            let counting = CountingProjector(stallAfter: 150)
            let step = ProjectionStep(projector: counting, store: store)
            let version = try await ProjectionRegistry(pool: store.pool).activeVersion(of: counting)
            let target = ProjectionTarget(projection: counting.name, version: version)
            // A batch stalls after writing 150 rows; the process "dies" (the task is cancelled). Other tests' open
            // transactions may hold the cluster-wide watermark back, so the first batches can be short: the step
            // runs until one stalls, and what earlier batches committed is counted before the kill.
            let killed = Task {
                while !Task.isCancelled {
                    _ = try await step.run(target: target, batchSize: 400)
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            try await counting.waitUntilStalled()
            let committed = try await counting.rows(store, target)
            killed.cancel()
            _ = await killed.result
            #expect(try await counting.rows(store, target) == committed, "the killed batch left nothing behind")

            // A flaky real projector fails once mid-batch, after writing rows; the batch is retried.
            let flaky = FlakyProjector(wrapping: CustomersProjector())
            await #expect(throws: ProjectionError.self) {
                _ = try await ProjectionStep(projector: flaky, store: store).run(
                    target: ProjectionTarget(
                        projection: "customers", version: try await ProjectionRegistry(pool: store.pool).activeVersion(of: flaky)),
                    batchSize: 300)
            }

            counting.stallAfter = nil
            try await catchUp(counting, store: store, expecting: total, batchSize: 400)
            #expect(try await counting.rows(store, target) == total, "every event applied exactly once (the key forbids twice)")
            try await catchUp(flaky, store: store, expecting: total)
            let events = try await allDomainEvents(store)
            let settings = latestSettings(events)
            let reference = ReferenceReadModels.fold(events, settings: { settings[$0] ?? .default })
            let stored = try await StoredReadModels.loadCustomers(store)
            #expect(stored == reference.customerRows)
        }
    }

    @Test("two runners of the same projector share the work without applying anything twice")
    func concurrentRunners() async throws {
        try await withProjectionStore { store, database, acme, globex in
            let counting = CountingProjector(stallAfter: nil)
            let version = try await ProjectionRegistry(pool: store.pool).activeVersion(of: counting)
            let listener = PGListener(configuration: database.configuration, channels: [EventStore.notificationChannel], logger: database.logger)
            let runners = (0..<2).map { _ in
                ProjectionRunner(
                    projectors: [counting], store: store, listener: listener, batchSize: 37, pollInterval: .milliseconds(200), logger: database.logger
                )
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await listener.run() }
                for runner in runners { group.addTask { try await runner.run() } }
                let total = try await appendRandomHistories(seed: 9, store: store, tenants: [acme, globex], customers: 80, steps: 300)
                let target = ProjectionTarget(projection: counting.name, version: version)
                // Waits while the runners make progress (a loaded machine is slow, not stuck); 60 s without a new
                // row means a runner is stuck and fails the test.
                var (applied, lastProgress) = (try await counting.rows(store, target), ContinuousClock.now)
                while applied < total, ContinuousClock.now < lastProgress.advanced(by: .seconds(60)) {
                    try await Task.sleep(for: .milliseconds(100))
                    let now = try await counting.rows(store, target)
                    if now != applied { (applied, lastProgress) = (now, ContinuousClock.now) }
                }
                #expect(try await counting.rows(store, target) == total, "\(applied) of \(total) events applied")
                group.cancelAll()
            }
        }
    }
}

@Suite("rule changes", .timeLimit(.minutes(5)))
struct RuleChangeTests {
    @Test("new match fields trigger a rebuild of the match index for that tenant, which then keys old customers by the new fields")
    func matchFieldsChangeRebuildsIndex() async throws {
        try await withProjectionStore { store, database, acme, globex in
            var events: [SyncEvent] = []
            for index in 0..<20 {
                events.append(
                    .customerObserved(
                        CustomerObserved(
                            customer: .stripe("cus_\(index)"),
                            fields: ["name": "C\(index)", "email": "c\(index)@example.com", "phone": "+45 1000 00\(index + 10)"])))
            }
            try await append(events, tenant: acme, store: store)
            try await append(events, tenant: globex, store: store)
            try await catchUpAll(store, 40)
            #expect(try await StoredReadModels.load(store).matchIndex.allSatisfy { $0.keyKind == "email" })

            var settings = TenantSettings.default
            settings.version = 1
            settings.matchFields = [MatchField(source: "phone", economic: "telephoneAndFaxNumber")]
            try await append([.settingsChanged(SettingsChanged(settings: settings, matchFieldsChanged: true))], tenant: acme, store: store)
            try await catchUp(TenantSettingsProjector(), store: store, expecting: 41)
            // Replaying the same settings event (a rebuild of tenant_settings) asks for nothing more.
            _ = try await Rebuilder(store: store, logger: database.logger).rebuild(TenantSettingsProjector(), reason: "test")
            let service = RebuildRequestService(projectors: AccordProjections.all, store: store, logger: database.logger)
            #expect(try await service.runNext())
            #expect(try await service.runNext() == false, "one request, satisfied once")

            let index = try await StoredReadModels.load(store).matchIndex
            #expect(index.filter { $0.tenantID == "acme" }.count == 20)
            #expect(index.filter { $0.tenantID == "acme" }.allSatisfy { $0.keyKind == "phone" })
            #expect(index.filter { $0.tenantID == "globex" }.allSatisfy { $0.keyKind == "email" })
            let finished = try await store.pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    "SELECT count(*) FROM projection_rebuild_requests WHERE finished_at IS NOT NULL AND error IS NULL AND tenant_id = 'acme'"
                ).singleValue(Int.self)
            }
            #expect(finished == 1)
        }
    }
}

/// Records the last progress report (called from the rebuild's task).
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [Rebuilder.Progress] = []
    func record(_ progress: Rebuilder.Progress) { lock.withLock { reports.append(progress) } }
    var last: Rebuilder.Progress? { lock.withLock { reports.last } }
}

/// Compares read models table by table, naming the first differing row.
func expectEqual(_ actual: StoredReadModels, _ expected: StoredReadModels, sourceLocation: SourceLocation = #_sourceLocation) {
    func compare<Row: Equatable>(_ name: String, _ lhs: [Row], _ rhs: [Row]) {
        guard lhs != rhs else { return }
        let index = zip(lhs, rhs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(lhs.count, rhs.count)
        Issue.record(
            "\(name) differs (\(lhs.count) vs \(rhs.count) rows) at row \(index): \(index < lhs.count ? "\(lhs[index])" : "none") vs \(index < rhs.count ? "\(rhs[index])" : "none")",
            sourceLocation: sourceLocation)
    }
    compare("customers", actual.customers, expected.customers)
    compare("unpartnered", actual.unpartnered, expected.unpartnered)
    compare("match_index", actual.matchIndex, expected.matchIndex)
    compare("partner_links", actual.partnerLinks, expected.partnerLinks)
    compare("conflicts", actual.conflicts, expected.conflicts)
    compare("pending_creations", actual.pending, expected.pending)
    compare("tenant_settings", actual.tenantSettings, expected.tenantSettings)
}

extension StoredReadModels {
    static func loadCustomers(_ store: EventStore) async throws -> [CustomerRow] { try await load(store).customers }
}
