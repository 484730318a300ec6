import Foundation
import SyncDomain
import SyncEngine
import Testing

/// A Stripe customer created matching an e-conomic customer and edited before its creation was processed is that
/// customer's partner, as it would have been had Accord processed the creation at once (chaos seeds 88 and 100
/// created a second e-conomic customer for it).
@Suite("a customer first seen through its creation", .timeLimit(.minutes(5)))
struct FirstSightEngineTests {
    @Test("matched as it was created; the e-mail changed since reaches its partner as a change, and nothing is created")
    func matchedAsCreated() async throws {
        try await EngineHarness.run { engine throws in
            let anna = CustomerRef.stripe("cus_anna")
            _ = try await engine.observe(.economic(7), ["name": "Anna Jensen", "email": "anna@jensen.example", "currency": "DKK"])
            try await engine.settle()

            // Created with e-conomic 7's e-mail, then edited before the creation event was processed.
            let now = CustomerObserved(
                customer: anna, fields: ["name": "Anna Jensen", "email": "anna@elsewhere.example"], sourceEventId: "evt_created",
                sourceUpdatedAt: Date())
            _ = try await engine.handler.observeCreatedCustomer(
                ["name": "Anna Jensen", "email": "anna@jensen.example"], now: now, tenant: engine.tenant, metadata: EngineHarness.user)
            try await engine.settle()

            #expect(try await engine.snapshot().partnering.link(of: anna)?.economic == .economic(7))
            let writes = try await engine.events().compactMap(\.economicWrite)
            #expect(!writes.contains { $0.kind == .create }, "no second customer for Anna")
            #expect(writes.contains { $0.kind == .update(customerNumber: 7) && $0.patch.fields["email"]?.value == "anna@elsewhere.example" })
        }
    }
}
