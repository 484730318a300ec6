import EventSourcing
import EventStore
import Foundation
import PGClient
import Projections
import SyncDomain
import SyncEngine
import Testing

@Suite("commands against PostgreSQL", .timeLimit(.minutes(5)))
struct CommandTests {
    @Test("an identical observation appends nothing; an older one does not overwrite newer data")
    func observations() async throws {
        try await EngineHarness.run { engine throws in
            let anna = CustomerRef.stripe("cus_anna")
            let now = Date(timeIntervalSince1970: 1_790_000_000)
            #expect(try await engine.observe(anna, ["name": "Anna", "email": "anna@example.com"], updatedAt: now).events.count == 1)
            #expect(try await engine.observe(anna, ["name": "Anna", "email": "anna@example.com"], updatedAt: now).events.isEmpty)
            #expect(try await engine.observe(anna, ["name": "Old Anna"], updatedAt: now.addingTimeInterval(-60)).events.isEmpty)
            #expect(
                try await engine.observe(anna, ["name": "Anna B", "email": "anna@example.com"], updatedAt: now.addingTimeInterval(60)).events.count
                    == 1)
        }
    }

    @Test("don't synchronise and undo, with clear errors for the wrong order and unknown customers")
    func excludeInclude() async throws {
        try await EngineHarness.run { engine throws in
            let anna = CustomerRef.stripe("cus_anna")
            _ = try await engine.observe(anna, ["name": "Anna", "email": "anna@example.com"])
            try await engine.handler.exclude(anna, tenant: engine.tenant, metadata: EngineHarness.user)
            let again = await #expect(throws: CommandError.self) {
                try await engine.handler.exclude(anna, tenant: engine.tenant, metadata: EngineHarness.user)
            }
            #expect(again?.code == .rejected)
            #expect(again?.message.contains("already excluded") == true)
            try await engine.handler.include(anna, tenant: engine.tenant, metadata: EngineHarness.user)
            let unknown = await #expect(throws: CommandError.self) {
                try await engine.handler.exclude(.stripe("cus_nobody"), tenant: engine.tenant, metadata: EngineHarness.user)
            }
            #expect(unknown?.message.contains("not known") == true)
        }
    }

    @Test("settings: invalid fields and stale versions are refused with specific errors")
    func settings() async throws {
        try await EngineHarness.run { engine throws in
            var settings = TenantSettings.default
            settings.matchFields = [MatchField(source: "fax", economic: "email")]
            let invalid = await #expect(throws: CommandError.self) {
                try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
            }
            #expect(invalid?.code == .invalidInput)
            #expect(invalid?.message.contains("fax") == true)
            settings.matchFields = [MatchField(source: "phone", economic: "telephoneAndFaxNumber")]
            try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
            let stale = await #expect(throws: CommandError.self) {
                try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
            }
            #expect(stale?.code == .rejected)
            #expect(try await engine.handler.settings(of: engine.tenant).matchFields.first?.source == "phone")
        }
    }

    @Test("select partner, already partnered, stop and restart, unlink")
    func partnering() async throws {
        try await EngineHarness.run { engine throws in
            let anna = CustomerRef.stripe("cus_anna")
            let bob = CustomerRef.stripe("cus_bob")
            let e1 = CustomerRef.economic(1)
            _ = try await engine.observe(anna, ["name": "Anna", "email": "anna@example.com"])
            _ = try await engine.observe(bob, ["name": "Bob", "email": "bob@example.com"])
            _ = try await engine.observe(e1, ["name": "Anna", "email": "anna@example.com", "currency": "DKK"])
            let linked = try await engine.handler.selectPartner(source: anna, economic: e1, tenant: engine.tenant, metadata: EngineHarness.user)
            #expect(linked.events.contains { $0.isLink })
            let taken = await #expect(throws: CommandError.self) {
                try await engine.handler.selectPartner(source: bob, economic: e1, tenant: engine.tenant, metadata: EngineHarness.user)
            }
            #expect(taken?.message.contains("already partnered") == true)
            let link = try #require(try await engine.snapshot().partnering.link(of: anna)).id
            try await engine.handler.stopSync(link, tenant: engine.tenant, metadata: EngineHarness.user)
            #expect(try await engine.snapshot().partnering.links[link]?.isStopped == true)
            try await engine.handler.restartSync(link, tenant: engine.tenant, metadata: EngineHarness.user)
            try await engine.handler.unlink(link, tenant: engine.tenant, metadata: EngineHarness.user)
            #expect(try await engine.snapshot().partnering.link(of: anna) == nil)
        }
    }

    @Test("create partner with an explicit number already used in e-conomic is refused")
    func numberTaken() async throws {
        try await EngineHarness.run { engine throws in
            var settings = TenantSettings.default
            settings.createPolicy = .manual  // leave unmatched customers for a person, as in the file workflow
            try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
            let anna = CustomerRef.stripe("cus_anna")
            _ = try await engine.observe(anna, ["name": "Anna", "email": "anna@example.com"])
            _ = try await engine.observe(.economic(42), ["name": "Someone", "currency": "DKK"])
            try await engine.settle()
            #expect(try await engine.snapshot().partnering.pendingCreation(from: anna) == nil, "manual policy: nothing created automatically")
            try await waitForReadModel(engine)
            let error = await #expect(throws: CommandError.self) {
                try await engine.handler.createPartner(anna, numbering: .explicit(number: 42), tenant: engine.tenant, metadata: EngineHarness.user)
            }
            #expect(error?.message.contains("42") == true)
            let created = try await engine.handler.createPartner(
                anna, numbering: .explicit(number: 43), tenant: engine.tenant, metadata: EngineHarness.user)
            #expect(created.events.compactMap(\.economicWrite).first?.payload["customerNumber"] == "43")
        }
    }

    @Test("a command on a stream holding an event this build cannot read fails with a command error naming the stream and position")
    func unreadableEvent() async throws {
        try await EngineHarness.run { engine throws in
            let anna = CustomerRef.stripe("cus_anna")
            _ = try await engine.observe(anna, ["name": "Anna", "email": "anna@example.com"])
            let stream = try StreamID(StreamName.customer(anna).rawValue)
            let bad = try await engine.store.append(
                [NewEvent(type: "CustomerObserved", data: PGJSON(text: "{}"))], to: stream, of: engine.tenant, expecting: .exactly(1))
            let error = await #expect(throws: CommandError.self) {
                try await engine.handler.exclude(anna, tenant: engine.tenant, metadata: EngineHarness.user)
            }
            #expect(error?.code == .unreadableEvent)
            #expect(error?.message.contains(stream.rawValue) == true)
            #expect(error?.message.contains("event \(bad.globalPositions[0])") == true)
            #expect(error?.underlying is UnreadableEvent)
        }
    }

    /// Waits until the customers read model has applied everything written so far.
    func waitForReadModel(_ engine: EngineHarness) async throws {
        try await engine.waitForReadModels(["customers"])
    }
}

@Suite("the reactor (sync policy) against PostgreSQL", .timeLimit(.minutes(5)))
struct ReactorTests {
    @Test("auto-match by e-mail links a Stripe customer to the e-conomic customer observed earlier")
    func autoMatch() async throws {
        try await EngineHarness.run { engine throws in
            _ = try await engine.observe(.economic(7), ["name": "Anna Jensen", "email": "ANNA@example.com ", "currency": "DKK"])
            _ = try await engine.observe(.stripe("cus_anna"), ["name": "Anna Jensen", "email": "anna@example.com"])
            try await engine.settle()
            let link = try #require(try await engine.snapshot().partnering.link(of: .stripe("cus_anna")))
            #expect(link.economic == .economic(7))
            #expect(link.origin == .autoMatch(key: MatchKey(kind: .email, normalizedValue: "anna@example.com")))
        }
    }

    @Test("an ambiguous match and an empty match field are visible failures, never a silent create")
    func failures() async throws {
        try await EngineHarness.run { engine throws in
            _ = try await engine.observe(.economic(1), ["name": "Twin A", "email": "twin@example.com", "currency": "DKK"])
            _ = try await engine.observe(.economic(2), ["name": "Twin B", "email": "twin@example.com", "currency": "DKK"])
            _ = try await engine.observe(.stripe("cus_twin"), ["name": "Twin", "email": "twin@example.com"])
            _ = try await engine.observe(.stripe("cus_nomail"), ["name": "No Mail"])
            try await engine.settle()
            let failures = try await engine.events().compactMap(\.matchFailure)
            #expect(failures.contains { if case .ambiguous = $0 { true } else { false } })
            #expect(failures.contains(.matchFieldMissing(field: "email")))
            #expect(try await engine.events().compactMap(\.economicWrite).isEmpty)
        }
    }

    @Test("no match: an e-conomic customer is requested with the tenant's defaults and the VAT zone by country")
    func automaticCreate() async throws {
        try await EngineHarness.run { engine throws in
            _ = try await engine.observe(.stripe("cus_de"), ["name": "Berlin GmbH", "email": "kontakt@berlin.example", "address.country": "DE"])
            _ = try await engine.observe(.stripe("cus_us"), ["name": "Austin Inc", "email": "hello@austin.example", "address.country": "US"])
            try await engine.settle()
            let writes = try await engine.events().compactMap(\.economicWrite)
            #expect(writes.count == 2)
            let byName = Dictionary(uniqueKeysWithValues: writes.map { ($0.payload["name"] ?? "", $0) })
            #expect(byName["Berlin GmbH"]?.payload["vatZone"] == "2")
            #expect(byName["Austin Inc"]?.payload["vatZone"] == "3")
            #expect(byName["Berlin GmbH"]?.payload["currency"] == "DKK")
            #expect(byName["Berlin GmbH"]?.kind == .create)

            // Replaying the reactor over the same events issues nothing new.
            let before = try await engine.events().count
            try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.execute("DELETE FROM projection_checkpoints WHERE projection = 'reactor'")
            }
            try await engine.settle()
            #expect(try await engine.events().count == before)
        }
    }
}
