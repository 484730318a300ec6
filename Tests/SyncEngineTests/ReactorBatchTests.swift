import EventSourcing
import EventStore
import Foundation
import PGClient
import SyncDomain
import SyncEngine
import Testing

/// The reactor decides runs of observations and outbound successes together (one read, one append); each decision
/// must be the one it makes event by event.
@Suite("Reactor batches", .timeLimit(.minutes(3)))
struct ReactorBatchTests {
    @Test("a run of successes and observations decided together appends what deciding them one by one appends, event for event")
    // A batch appends its events stream by stream, so the log's order differs within a batch; the events (ids
    // derived from their causes included) are the same.
    func batchesDecideAsOneByOne() async throws {
        let together = try await Self.scenario(decidesInBatches: true)
        let oneByOne = try await Self.scenario(decidesInBatches: false)
        #expect(oneByOne.decidedTogether == 0)
        #expect(together.decidedTogether >= 15, "the successes and the observations between them went in batches: \(together.decidedTogether)")
        #expect(together.trace == oneByOne.trace)
        #expect(together.trace.filter { $0.hasPrefix("PartnerLinked ") }.count == 6, "\(together.trace)")
        #expect(together.trace.filter { $0.hasPrefix("StripeWriteRequested ") }.count == 6, "every created partner's number written back")
    }

    @Test("batches of three, each decided while the one before is appended, append what deciding one by one appends")
    // Small batches chain: a batch is decided on what the append still in flight leaves (a pending partner made in the
    // batch before, the matched pair's customers it changed) and appended after it.
    func chainedBatchesDecideAsOneByOne() async throws {
        let chained = try await Self.scenario(decidesInBatches: true, batchSize: 3, twins: true)
        let oneByOne = try await Self.scenario(decidesInBatches: false, twins: true)
        #expect(chained.decidedTogether >= 15, "the batches were decided together: \(chained.decidedTogether)")
        #expect(chained.trace == oneByOne.trace)
    }

    @Test("an append in flight that loses a race stores nothing; its batch and the one decided on it are decided again one by one")
    // Another writer's link is held uncommitted at the `partners` stream's next version until the reactor's first
    // batch's append waits on it (seen in pg_stat_activity), then committed: that append fails on the version it
    // took, while the second batch was decided on its outcome. The log must end as when the link came first.
    func appendInFlightLosesRace() async throws {
        let raced = try await Self.raceScenario(holdingTheLink: true)
        let reference = try await Self.raceScenario(holdingTheLink: false)
        #expect(reference.decidedTogether == 6, "two batches of three went together")
        #expect(raced.decidedTogether == 0, "the lost batch and the one decided on it went one by one")
        #expect(raced.trace == reference.trace)
        #expect(raced.trace.filter { $0.hasPrefix("PartnerCreationRequested ") }.count == 7)
    }

    /// Seven Stripe customers to create, decided in batches of three; another writer links two other customers, its
    /// link committed first, or held uncommitted until the reactor's first append waits on it. Returns every event as
    /// ``scenario(decidesInBatches:batchSize:twins:)`` does.
    static func raceScenario(holdingTheLink: Bool) async throws -> (trace: [String], decidedTogether: Int) {
        var result: (trace: [String], decidedTogether: Int) = ([], 0)
        // Turns long enough for the second batch to be decided while the first is held (200 ms, the default, can pass
        // while a loaded machine decides the first, and the turn's end settles it before the second is read).
        try await EngineHarness.run(batchSize: 3, sharding: ReactorSharding(turnLength: .seconds(60))) { engine throws in
            for index in 0..<7 {
                _ = try await engine.observe(
                    .stripe("cus_\(index)"), ["name": "Customer \(index)", "email": "c\(index)@race.example", "address.country": "DK"])
            }
            try await engine.waitForReadModels()
            // All seven below the watermark before the link is held: a round that saw only some would decide them
            // in other batches.
            try await engine.waitUntilReadable()
            let link = try EventCodec.encode(
                .partnerLinked(
                    PartnerLinked(
                        linkId: LinkID(UUID(uuidString: "5a2b6c1e-0d4f-4e8a-9b3c-7f1e2d3c4b5a")!), source: .stripe("cus_other"),
                        economic: .economic(99), origin: .user)),
                metadata: EventMetadata(actor: "user:test"))
            if holdingTheLink {
                let reactor = try await engine.store.pool.withTransaction(scope: .tenant(engine.tenant)) { connection in
                    try await engine.store.append([link], to: "partners", of: engine.tenant, expecting: .noStream, on: connection)
                    let reactor = Task { try await engine.reactor.processPending() }
                    try await Self.waitForAppendWaitingOnLock(engine)
                    return reactor
                }
                try await reactor.value
            } else {
                try await engine.store.append([link], to: "partners", of: engine.tenant, expecting: .noStream)
            }
            try await engine.settle()
            result = (try await trace(of: engine), engine.reactor.eventsDecidedTogether)
        }
        return result
    }

    /// Waits until an append in the test's database waits for another transaction to end (the reactor's, on the held
    /// link's row at the version it takes).
    static func waitForAppendWaitingOnLock(_ engine: EngineHarness) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            let waiting = try await engine.store.pool.withConnection { connection in
                try await connection.query(
                    """
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'transactionid'
                      AND query LIKE '%INSERT INTO events%'
                    """
                ).singleValue(Int.self) ?? 0
            }
            if waiting > 0 { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no append waited on the held link within a minute")
    }

    /// Settings with the number write-back; an e-conomic customer and six Stripe customers (one matching it, five
    /// created); then the worker's five successes, each followed by a new Stripe customer and a change of the matched
    /// one — one run of the log for the reactor; then the successes of the matched pair's updates, each followed by an
    /// e-conomic observation of a created partner. Returns every event, in a stable order, and how many the reactor
    /// decided in batches.
    /// With `twins`, two more Stripe customers follow the five, with the e-mails of the first and the last of them (whose
    /// partners are being created).
    static func scenario(decidesInBatches: Bool, batchSize: Int = 100, twins: Bool = false) async throws -> (trace: [String], decidedTogether: Int) {
        var result: (trace: [String], decidedTogether: Int) = ([], 0)
        try await EngineHarness.run(decidesInBatches: decidesInBatches, batchSize: batchSize) { engine throws in
            var settings = TenantSettings.default
            settings.numbering = .economicAssigns(writeBackMetadataKey: "economic_number")
            try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
            _ = try await engine.observe(.economic(7), ["name": "Anna Jensen", "email": "anna@jensen.example", "currency": "DKK"])
            try await engine.settle()
            _ = try await engine.observe(.stripe("cus_anna"), ["name": "Anna Jensen", "email": "anna@jensen.example"])
            for index in 0..<5 {
                _ = try await engine.observe(
                    .stripe("cus_\(index)"), ["name": "Customer \(index)", "email": "c\(index)@batch.example", "address.country": "DK"])
            }
            for index in twins ? [0, 4] : [] {
                _ = try await engine.observe(.stripe("cus_twin_\(index)"), ["name": "Twin \(index)", "email": "c\(index)@batch.example"])
            }
            try await engine.settle()
            let creates = try await engine.events().compactMap(\.economicWrite).filter { $0.kind == .create }
            #expect(creates.count == 5)
            for (index, create) in creates.enumerated() {
                _ = try await DecisionRunner(store: engine.store).decide(
                    OutboundDecider.self, .recordSuccess(create.requestId, customerNumber: 100 + index, written: create.payload), context: .default,
                    on: .outbound(create.requestId), tenant: engine.tenant, metadata: EventMetadata(actor: "system:test"))
                _ = try await engine.observe(
                    .stripe("cus_new_\(index)"), ["name": "Newcomer \(index)", "email": "n\(index)@batch.example", "address.country": "SE"])
                _ = try await engine.observe(.stripe("cus_anna"), ["name": "Anna Jensen \(index)", "email": "anna@jensen.example"])
            }
            try await engine.settle()
            // The worker's successes of the matched pair's updates, each followed by an e-conomic observation of a
            // created partner: the settled writes are decided on both customers' facts.
            let updates = try await engine.events().compactMap(\.economicWrite).filter { $0.kind != .create }
            #expect(!updates.isEmpty)
            for (index, update) in updates.enumerated() {
                _ = try await DecisionRunner(store: engine.store).decide(
                    OutboundDecider.self, .recordSuccess(update.requestId, customerNumber: 7, written: update.payload), context: .default,
                    on: .outbound(update.requestId), tenant: engine.tenant, metadata: EventMetadata(actor: "system:test"))
                _ = try await engine.observe(.economic(100 + index), ["name": "Customer \(index)", "email": "c\(index)@batch.example", "currency": "DKK"])
            }
            try await engine.settle()
            result = (try await trace(of: engine), engine.reactor.eventsDecidedTogether)
        }
        return result
    }

    /// Every event of the tenant as its type and its JSON with sorted keys (payloads keep no key order: stored as
    /// jsonb), sorted: a batch appends its events stream by stream, so the log's order may differ within a batch.
    static func trace(of engine: EngineHarness) async throws -> [String] {
        try await engine.events().map { event in
            let (type, _, data) = try event.encode()
            let sorted = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: data), options: [.sortedKeys])
            return "\(type) \(String(decoding: sorted, as: UTF8.self))"
        }.sorted()
    }
}
