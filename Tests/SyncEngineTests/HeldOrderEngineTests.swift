import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Projections
import SyncDomain
import SyncEngine
import Testing

/// Decisions of one customer are made in the log's order, also across a hold: a newer observation that the reactor
/// reaches after the hold ended, but before the parked one is resumed, waits behind it.
@Suite("held decisions keep each customer's order", .timeLimit(.minutes(5)))
struct HeldOrderEngineTests {
    @Test("a customer parked while matching was held is matched on that observation, though it changed its e-mail since")
    func parkedObservationDecidesFirst() async throws {
        try await EngineHarness.run { engine throws in
            let anna = CustomerRef.stripe("cus_anna")
            _ = try await engine.observe(
                .economic(7), ["name": "Anna Jensen", "email": "anna@jensen.example", "telephoneAndFaxNumber": "+45 11 22 33 44", "currency": "DKK"])
            try await engine.settle()
            var settings = TenantSettings.default
            settings.matchFields = [
                MatchField(source: "email", economic: "email", required: false),
                MatchField(source: "phone", economic: "telephoneAndFaxNumber", required: false),
            ]
            try await engine.handler.updateSettings(settings, expectedVersion: 0, tenant: engine.tenant, metadata: EngineHarness.user)
            // Anna appears matching e-conomic 7 by e-mail while matching is held: parked.
            _ = try await engine.observe(anna, ["name": "Anna Jensen", "email": "anna@jensen.example"])
            try await engine.settle()
            #expect(try await engine.matchingHold()?.heldDecisions == 1)

            // The index is rebuilt; before the parked decision is resumed, Anna's e-mail changes and the reactor sees it.
            try await engine.rebuildOnRequest()
            _ = try await engine.observe(anna, ["name": "Anna Jensen", "email": "anna@elsewhere.example"])
            try await engine.settle()
            #expect(try await engine.snapshot().partnering.link(of: anna) == nil, "the newer observation waits behind the parked one")
            #expect(!(try await engine.events().compactMap(\.economicWrite).contains { $0.kind == .create }))

            // Resumed in order: the parked observation links Anna to 7, the newer one then carries her new e-mail there.
            #expect(try await engine.held.resumeReady() == 2)
            try await engine.settle()
            #expect(try await engine.snapshot().partnering.link(of: anna)?.economic == .economic(7))
            let writes = try await engine.events().compactMap(\.economicWrite)
            #expect(!writes.contains { $0.kind == .create }, "no second customer for Anna")
            #expect(writes.contains { $0.kind == .update(customerNumber: 7) && $0.patch.fields["email"]?.value == "anna@elsewhere.example" })
        }
    }
}
