import EventSourcing
import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Projections
import SyncDomain
import SyncEngine
import Testing

@Suite("safe rule changes: matching waits for the match index", .timeLimit(.minutes(5)))
struct RuleChangeEngineTests {
    @Test("a customer observed right after a match-field change is matched under the new rule once the index is rebuilt, never created")
    func heldUntilRebuilt() async throws {
        try await EngineHarness.run { engine throws in
            let anna = CustomerRef.stripe("cus_anna")
            let bo = CustomerRef.stripe("cus_bo")
            _ = try await engine.observe(
                .economic(7), ["name": "Anna Jensen", "email": "anna@jensen.example", "telephoneAndFaxNumber": "+45 11 22 33 44", "currency": "DKK"])
            _ = try await engine.observe(.economic(8), ["name": "Bo", "email": "bo@example.com", "currency": "DKK"])
            _ = try await engine.observe(bo, ["name": "Bo", "email": "bo@example.com"])
            try await engine.settle()
            #expect(try await engine.snapshot().partnering.link(of: bo)?.economic == .economic(8))

            // From now on customers are matched by phone; automatic create stays on.
            var settings = TenantSettings.default
            settings.matchFields = [MatchField(source: "phone", economic: "telephoneAndFaxNumber")]
            try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
            // Right after the change, while the index still keys e-conomic 7 by e-mail: Anna with another e-mail, same phone.
            _ = try await engine.observe(anna, ["name": "Anna Jensen", "email": "anna@elsewhere.example", "phone": "+45 11 22 33 44"])
            _ = try await engine.observe(bo, ["name": "Bo Berg", "email": "bo@example.com"])
            try await engine.settle()
            let writes = try await engine.events().compactMap(\.economicWrite)
            #expect(!writes.contains { $0.kind == .create }, "no e-conomic customer is created while the index holds the old keys")
            #expect(writes.contains { $0.kind == .update(customerNumber: 8) }, "linked pairs keep synchronising")
            #expect(try await engine.snapshot().partnering.link(of: anna) == nil)
            let hold = try #require(try await engine.matchingHold(), "the hold is visible")
            #expect(hold.heldDecisions == 1)
            #expect(hold.settingsVersion == 1)
            #expect(try await engine.held.resumeReady() == 0, "nothing is decided while the rebuild is open")

            // The rebuild the change asked for runs; the held decision is made then, on the rebuilt index.
            try await engine.rebuildOnRequest()
            #expect(try await engine.matchingHold() == nil)
            #expect(try await engine.held.resumeReady() == 1)
            let link = try #require(try await engine.snapshot().partnering.link(of: anna))
            #expect(link.economic == .economic(7))
            guard case .autoMatch(let key) = link.origin else {
                Issue.record("expected an automatic match, got \(link.origin)")
                return
            }
            #expect(key.kind == .phone)
            #expect(!(try await engine.events().compactMap(\.economicWrite).contains { $0.kind == .create }))

            // Decided again after a crash before its release, or replayed by the reactor: nothing new.
            let before = try await engine.events().count
            try await engine.store.pool.withTransaction(scope: .tenant(engine.tenant)) { connection in
                try await connection.execute(
                    """
                    INSERT INTO reactor_held_decisions (tenant_id, global_position, stream_id, stream_version)
                    SELECT tenant_id, global_position, stream_id, stream_version FROM events
                    WHERE stream_id = \(StreamName.customer(anna).rawValue) AND type = \(CustomerObserved.typeName)
                    """)
            }
            #expect(try await engine.held.resumeReady() == 1)
            try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.execute("DELETE FROM projection_checkpoints WHERE projection = \(Reactor.checkpointName)")
            }
            try await engine.settle()
            #expect(try await engine.events().count == before)
            #expect(try await engine.held.resumeReady() == 0)
        }
    }

    @Test("customers whose matching failed are matched again under new match fields once the index is rebuilt; again, nothing new")
    func failuresMatchedAgain() async throws {
        try await EngineHarness.run { engine throws in
            let anna = CustomerRef.stripe("cus_anna")
            _ = try await engine.observe(
                .economic(7), ["name": "Anna Jensen", "email": "anna@jensen.example", "telephoneAndFaxNumber": "+45 11 22 33 44", "currency": "DKK"])
            try await engine.settle()
            // Matched by e-mail (required): Anna has none, and waits for a person.
            _ = try await engine.observe(anna, ["name": "Anna Jensen", "phone": "+45 11 22 33 44"])
            try await engine.settle()
            #expect(try await engine.events().contains { $0.matchFailure != nil })
            #expect(try await engine.snapshot().partnering.link(of: anna) == nil)

            // Matched by phone from now on: the failure is decided again once the index holds phone keys.
            var settings = TenantSettings.default
            settings.matchFields = [MatchField(source: "phone", economic: "telephoneAndFaxNumber")]
            try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
            try await engine.settle()
            #expect(try await engine.matchingHold()?.heldDecisions == 0, "the reactor records the change; nothing is parked in its turn")
            let waiting = try #require(try await SettingsApplications(store: engine.store).latest(of: engine.tenant))
            #expect(waiting.state == .running && waiting.phase == .failures && waiting.failures == nil && !waiting.appliesLinks, "\(waiting)")
            #expect(waiting.sentence.hasPrefix("Waiting for the match index"), "\(waiting.sentence)")
            #expect(try await engine.snapshot().partnering.link(of: anna) == nil)
            try await engine.rebuildOnRequest()
            #expect(try await engine.held.resumeReady() == 0)
            let applied = try await engine.applyUntilFinished()
            #expect(applied.failures == 1 && applied.failuresDone == 1 && applied.phase == .failures, "\(applied)")
            #expect(applied.sentence == "The 1 customer whose matching had failed was matched again under settings version 1.")
            let link = try #require(try await engine.snapshot().partnering.link(of: anna))
            #expect(link.economic == .economic(7))
            #expect(!(try await engine.events().compactMap(\.economicWrite).contains { $0.kind == .create }))

            // The reactor follows the log again from the start, and the application is done again from its start: nothing new.
            let before = try await engine.events().count
            try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.execute("DELETE FROM projection_checkpoints WHERE projection = \(Reactor.checkpointName)")
                try await connection.execute(
                    "UPDATE settings_applications SET state = 'running', cursor = NULL, failures_done = 0, failures_total = NULL, finished_at = NULL")
            }
            try await engine.settle()
            _ = try await engine.applyUntilFinished()
            #expect(try await engine.events().count == before)
        }
    }

    @Test("failures are matched again chunk by chunk, pausable; a newer change of mappings takes the rest over and then applies its mappings")
    func failuresInChunksTakenOver() async throws {
        try await EngineHarness.run { engine throws in
            let people = 5
            for number in 1...people {
                _ = try await engine.observe(
                    .economic(number),
                    ["name": "Person \(number)", "email": "p\(number)@example.com", "telephoneAndFaxNumber": "+45 10 00 00 0\(number)", "currency": "DKK"])
                // No e-mail: matching by e-mail (required) fails for each of them.
                _ = try await engine.observe(.stripe("cus_\(number)"), ["name": "Person \(number)", "phone": "+45 10 00 00 0\(number)"])
            }
            try await engine.settle()
            #expect(try await engine.snapshot().partnering.links.isEmpty)

            var settings = TenantSettings.default
            settings.matchFields = [MatchField(source: "phone", economic: "telephoneAndFaxNumber")]
            try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
            try await engine.settle(applying: false)
            try await engine.rebuildOnRequest()
            try await engine.waitForReadModels()
            let applications = SettingsApplications(store: engine.store)
            let service = SettingsApplicationService(
                reactor: engine.reactor, store: engine.store, cache: TenantStateCache(store: engine.store), chunkSize: 2, logger: engine.database.logger)
            #expect(try await service.applyReady() == 1)
            let first = try #require(try await applications.latest(of: engine.tenant))
            #expect(first.failures == people && first.failuresDone == 2 && first.state == .running, "\(first)")
            #expect(first.sentence == "Matching the 5 customers whose matching had failed again under the match fields of settings version 1: 2 done.")
            #expect(try await engine.snapshot().partnering.links.count == 2)

            #expect(try await applications.pause(engine.tenant)?.phase == .failures)
            #expect(try await service.applyReady() == 0, "a paused application is left alone")
            #expect(try await engine.snapshot().partnering.links.count == 2)

            // A change of mappings only, saved while the failures are paused: it supersedes the paused application and
            // matches the rest itself before it carries its mappings to every linked pair.
            settings.fieldMappings = FieldMapping.defaults.filter { $0.economic != EconomicField.city.rawValue }
            try await engine.handler.updateSettings(settings, expectedVersion: 1, tenant: engine.tenant, metadata: EngineHarness.user)
            try await engine.settle(applying: false)
            let second = try #require(try await applications.latest(of: engine.tenant))
            #expect(second.settingsVersion == 2 && second.phase == .failures && second.appliesLinks && second.state == .running, "\(second)")
            let finished = try await engine.applyUntilFinished()
            #expect(finished.failures == people - 2 && finished.failuresDone == people - 2 && finished.phase == .links, "\(finished)")
            #expect(finished.done == people, "the mappings reach every pair, the ones linked just now too: \(finished)")
            let links = try await engine.snapshot().partnering.links.values
            #expect(links.count == people)
            #expect(Set(links.map(\.economic)) == Set((1...people).map { CustomerRef.economic($0) }))
            #expect(!(try await engine.events().compactMap(\.economicWrite).contains { $0.kind == .create }))
            let states = try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT state FROM settings_applications ORDER BY global_position").decode(String.self)
            }
            #expect(states == ["superseded", "finished"])
        }
    }

    @Test("a change of match fields made while decisions are held keeps them held until its own rebuild")
    func heldAgainByALaterChange() async throws {
        try await EngineHarness.run { engine throws in
            _ = try await engine.observe(
                .economic(7), ["name": "Anna", "email": "anna@jensen.example", "telephoneAndFaxNumber": "+45 11 22 33 44", "currency": "DKK"])
            try await engine.settle()
            var settings = TenantSettings.default
            settings.matchFields = [MatchField(source: "phone", economic: "telephoneAndFaxNumber")]
            try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
            _ = try await engine.observe(.stripe("cus_anna"), ["name": "Anna", "email": "anna@elsewhere.example", "phone": "+45 11 22 33 44"])
            try await engine.settle()
            try await engine.rebuildOnRequest()
            // Another change before the held decision was resumed: it waits for that change's rebuild too.
            settings.matchFields = [MatchField(source: "phone", economic: "telephoneAndFaxNumber"), MatchField(source: "email", economic: "email")]
            try await engine.handler.updateSettings(settings, expectedVersion: 1, tenant: engine.tenant, metadata: EngineHarness.user)
            #expect(try await engine.held.resumeReady() == 0)
            #expect(try await engine.matchingHold()?.heldDecisions == 1)
            try await engine.rebuildOnRequest()
            #expect(try await engine.held.resumeReady() == 1)
            #expect(try await engine.snapshot().partnering.link(of: .stripe("cus_anna"))?.economic == .economic(7))
            #expect(!(try await engine.events().compactMap(\.economicWrite).contains { $0.kind == .create }))
        }
    }
}

extension EngineHarness {
    /// The tenant's matching hold, as the overview shows it.
    func matchingHold() async throws -> MatchingHold? {
        try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await MatchingHold.current(of: tenant, store: store, on: connection)
        }
    }

    /// Works the tenant's latest settings application through until it has finished (its failures wait for the match
    /// index and the customers read model, which run in the background); returns it.
    func applyUntilFinished(timeout: Duration = .seconds(60)) async throws -> SettingsApplication {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            try await applications.applyAll()
            let latest = try #require(try await SettingsApplications(store: store).latest(of: tenant))
            if latest.state != .running || ContinuousClock.now > deadline { return latest }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the settings projector to ask for the rebuilds of the latest settings change, then carries them out.
    func rebuildOnRequest() async throws {
        try await waitForReadModels([TenantSettingsProjector().name])
        let rebuilds = RebuildRequestService(projectors: AccordProjections.all, store: store, logger: database.logger)
        var ran = 0
        while try await rebuilds.runNext() { ran += 1 }
        #expect(ran > 0, "a rebuild was asked for")
    }
}
