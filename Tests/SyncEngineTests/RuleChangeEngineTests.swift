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
            #expect(try await engine.matchingHold()?.heldDecisions == 1, "the change waits for its rebuild")
            #expect(try await engine.snapshot().partnering.link(of: anna) == nil)
            try await engine.rebuildOnRequest()
            #expect(try await engine.held.resumeReady() == 1)
            try await engine.settle()
            let link = try #require(try await engine.snapshot().partnering.link(of: anna))
            #expect(link.economic == .economic(7))
            #expect(!(try await engine.events().compactMap(\.economicWrite).contains { $0.kind == .create }))

            // The reactor follows the log again from the start: nothing new.
            let before = try await engine.events().count
            try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.execute("DELETE FROM projection_checkpoints WHERE projection = \(Reactor.checkpointName)")
            }
            try await engine.settle()
            #expect(try await engine.events().count == before)
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

    /// Waits for the settings projector to ask for the rebuilds of the latest settings change, then carries them out.
    func rebuildOnRequest() async throws {
        try await waitForReadModels([TenantSettingsProjector().name])
        let rebuilds = RebuildRequestService(projectors: AccordProjections.all, store: store, logger: database.logger)
        var ran = 0
        while try await rebuilds.runNext() { ran += 1 }
        #expect(ran > 0, "a rebuild was asked for")
    }
}
