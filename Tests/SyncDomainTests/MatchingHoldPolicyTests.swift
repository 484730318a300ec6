import Foundation
import SyncDomain
import Testing

/// While a tenant's match index is rebuilt after a change of its match fields, the policy neither matches nor
/// creates; linked pairs still synchronise.
@Suite struct MatchingHoldPolicyTests {
    let jane = Fixtures.stripeJane
    let e1042 = Fixtures.economic1042

    @Test func heldCustomerWithoutMatchIsNotCreated() {
        var w = World()
        w.matchingHeld = true
        let decision = w.observe(jane, Fixtures.janeFields)
        #expect(decision.outcome == .matchingHeld)
        #expect(decision.events.isEmpty, "automatic create waits too")

        w.matchingHeld = false
        let resumed = w.observe(jane, Fixtures.janeFields)
        guard case .creationRequested = resumed.outcome else {
            Issue.record("expected a creation once the hold ends, got \(resumed.outcome)")
            return
        }
    }

    @Test func heldCustomerWithAMatchIsNotLinkedYet() {
        var w = World()
        _ = w.observe(e1042, Fixtures.economicJaneFields)
        w.matchingHeld = true
        let decision = w.observe(jane, Fixtures.janeFields)
        #expect(decision.outcome == .matchingHeld)
        #expect(decision.events.isEmpty)
        #expect(w.partnering.link(of: jane) == nil)
    }

    @Test func linkedPairStillSynchronises() throws {
        var w = World()
        _ = w.observe(e1042, Fixtures.economicJaneFields)
        _ = w.observe(jane, Fixtures.janeFields)
        #expect(w.partnering.link(of: jane) != nil)
        w.matchingHeld = true
        let decision = w.observe(jane, Fixtures.janeFields.merging(["address.city": "Aarhus"]) { $1 })
        let write = try #require(Fixtures.payloads(decision.events, EconomicWriteRequested.self).first)
        #expect(write.kind == .update(customerNumber: 1042))
    }

    @Test func pendingCreationIsNotHeld() {
        var w = World()
        _ = w.observe(jane, Fixtures.janeFields)
        let pending = w.partnering.pendingCreation(from: jane)
        #expect(pending != nil)
        w.matchingHeld = true
        #expect(w.observe(jane, Fixtures.janeFields).outcome == .creationPending(pending!.requestId))
    }
}
