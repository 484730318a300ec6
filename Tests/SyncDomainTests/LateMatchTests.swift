import Foundation
import SyncDomain
import Testing

/// A decision belongs to the observation that caused it: however late the reactor gets to it (behind a backlog, or
/// held while the match index is rebuilt), an observation that matched an e-conomic customer links to it, and the
/// customer's later changes reach that partner as changes — the outcome does not depend on the reactor's speed.
@Suite struct LateMatchTests {
    let jane = Fixtures.stripeJane
    let e1042 = Fixtures.economic1042

    @Test("an observation decided after the customer changed its e-mail still links to the customer it matched")
    func lateObservationLinks() throws {
        var w = World()
        _ = w.observe(e1042, Fixtures.economicJaneFields)
        // Jane is created matching e-conomic 1042 by e-mail; a moment later her e-mail changes. Both observations are
        // recorded before the reactor decides the first.
        let created = CustomerObserved(customer: jane, fields: Fixtures.janeFields)
        var changedFields = Fixtures.janeFields
        changedFields["email"] = "jane.new@example.com"
        let changed = CustomerObserved(customer: jane, fields: changedFields)
        for event in [created, changed] {
            w.customers[jane] = CustomerDecider.evolve(w.customers[jane] ?? .initial, .customerObserved(event))
        }

        let first = SyncPolicy.decide(observed: created, causationId: Fixtures.uuid(1), context: w.context(for: jane))
        guard case .linked = first.outcome else {
            Issue.record("expected the creation to link to 1042, got \(first.outcome)")
            return
        }
        #expect(Fixtures.payloads(first.events, PartnerLinked.self).first?.economic == e1042)
        #expect(Fixtures.payloads(first.events, EconomicWriteRequested.self).filter { $0.kind == .create }.isEmpty, "no second customer")
        // The change since reaches 1042 as a change of the e-mail, based on the value both sides agreed on.
        let update = try #require(Fixtures.payloads(first.events, EconomicWriteRequested.self).first)
        #expect(update.patch.fields["email"]?.value == "jane.new@example.com")
        #expect(update.patch.fields["email"]?.base == "jane@example.com")
        #expect(Fixtures.payloads(first.events, ConflictDetected.self).isEmpty)
    }

    @Test("an observation that matches no one falls back to the customer as it is now")
    func currentFieldsGetTheirTurn() throws {
        var w = World()
        _ = w.observe(e1042, Fixtures.economicJaneFields)
        var unmatched = Fixtures.janeFields
        unmatched["email"] = "typo@example.com"
        unmatched["phone"] = "+45 99 99 99 99"
        let typo = CustomerObserved(customer: jane, fields: unmatched)
        let fixed = CustomerObserved(customer: jane, fields: Fixtures.janeFields)
        for event in [typo, fixed] {
            w.customers[jane] = CustomerDecider.evolve(w.customers[jane] ?? .initial, .customerObserved(event))
        }
        let decision = SyncPolicy.decide(observed: typo, causationId: Fixtures.uuid(2), context: w.context(for: jane))
        guard case .linked = decision.outcome else {
            Issue.record("expected the corrected e-mail to link, got \(decision.outcome)")
            return
        }
        #expect(Fixtures.payloads(decision.events, PartnerLinked.self).first?.economic == e1042)
    }
}
