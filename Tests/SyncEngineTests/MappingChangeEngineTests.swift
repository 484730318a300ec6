import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import SyncDomain
import SyncEngine
import Testing

/// A mapping change applies to the pairs already linked, not only to customers edited afterwards.
@Suite("mapping changes reach linked pairs", .timeLimit(.minutes(5)))
struct MappingChangeEngineTests {
    @Test("a field mapped after two customers were linked is carried to the side that lacks it, without an edit of either")
    func newlyMappedFieldIsCarried() async throws {
        try await EngineHarness.run { engine throws in
            var settings = TenantSettings.default
            settings.fieldMappings = FieldMapping.defaults.filter { $0.economic != EconomicField.telephoneAndFaxNumber.rawValue }
            try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
            let bo = CustomerRef.stripe("cus_bo")
            _ = try await engine.observe(.economic(8), ["name": "Bo", "email": "bo@example.com", "currency": "DKK"])
            _ = try await engine.observe(bo, ["name": "Bo", "email": "bo@example.com", "phone": "+45 11 22 33 44"])
            try await engine.settle()
            let link = try #require(try await engine.snapshot().partnering.link(of: bo))
            #expect(!(try await engine.events().compactMap(\.economicWrite).contains { $0.patch.fields["telephoneAndFaxNumber"] != nil }))

            // The phone becomes mapped; neither customer changes.
            settings.fieldMappings = FieldMapping.defaults
            try await engine.handler.updateSettings(settings, expectedVersion: 1, tenant: engine.tenant, metadata: EngineHarness.user)
            try await engine.settle()
            let update = try #require(
                try await engine.events().compactMap(\.economicWrite).first { $0.patch.fields["telephoneAndFaxNumber"] != nil },
                "the newly mapped phone is sent to e-conomic")
            #expect(update.kind == .update(customerNumber: 8))
            #expect(update.linkId == link.id)
            #expect(update.patch.fields["telephoneAndFaxNumber"]?.value == "+45 11 22 33 44")

            // Handled again (a crash before the reactor saved its checkpoint): nothing new.
            let before = try await engine.events().count
            try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.execute("DELETE FROM projection_checkpoints WHERE projection = \(Reactor.checkpointName)")
            }
            try await engine.settle()
            #expect(try await engine.events().count == before)
        }
    }

    @Test("with empty values overwriting, a newly mapped field the partner lacks is still carried to it, never cleared on the source")
    func newlyMappedFieldIsCarriedWhenEmptyOverwrites() async throws {
        try await EngineHarness.run { engine throws in
            var settings = TenantSettings.default
            settings.fieldMappings = FieldMapping.defaults.filter { $0.economic != EconomicField.city.rawValue }
            try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
            let bo = CustomerRef.stripe("cus_bo")
            _ = try await engine.observe(.economic(8), ["name": "Bo", "email": "bo@example.com", "currency": "DKK"])
            _ = try await engine.observe(bo, ["name": "Bo", "email": "bo@example.com", "address.city": "Roskilde"])
            try await engine.settle()
            #expect(try await engine.snapshot().partnering.link(of: bo) != nil)

            // The city becomes mapped, and an empty city is to overwrite the other side's from now on.
            settings.fieldMappings = FieldMapping.defaults
            settings.emptyOverwrites = [EconomicField.city.rawValue]
            try await engine.handler.updateSettings(settings, expectedVersion: 1, tenant: engine.tenant, metadata: EngineHarness.user)
            try await engine.settle()
            let events = try await engine.events()
            let stripeWrites = events.compactMap { if case .stripeWriteRequested(let write) = $0 { write } else { nil } }
            let stripeCity = stripeWrites.filter { write in
                if case .patch(let patch) = write.kind { patch.fields["address.city"] != nil } else { false }
            }
            #expect(stripeCity.isEmpty, "Stripe's city is not cleared: e-conomic never had one")
            #expect(events.compactMap(\.economicWrite).contains { $0.patch.fields["city"]?.value == "Roskilde" }, "carried to e-conomic")
        }
    }
}
