import Foundation
import SyncDomain
import Testing

/// A link's open writes: the requests the synchroniser makes (patches with bases, superseding), and how their
/// outcomes are settled into the link ("every mapped field equal on both sides, or an open conflict naming it").
@Suite struct LinkWriteTests {
    let jane = Fixtures.stripeJane
    let e1042 = Fixtures.economic1042

    /// Jane and e-conomic 1042, linked and agreeing.
    func linkedWorld(_ change: (inout TenantSettings) -> Void = { _ in }) -> World {
        var w = World()
        change(&w.settings)
        _ = w.observe(e1042, Fixtures.economicJaneFields)
        _ = w.observe(jane, Fixtures.janeFields)
        return w
    }

    /// The reactor's decision on a recorded success, applied to the world.
    func succeed(_ w: inout World, _ outcome: OutboundSucceeded) -> SyncDecision {
        w.counter += 1
        let customers = w.customers
        let decision = SyncPolicy.decide(
            succeeded: outcome, causationId: Fixtures.uuid(5000 + w.counter), partnering: w.partnering, settings: w.settings,
            customerFacts: { customers[$0].flatMap(CustomerFacts.init) })
        w.apply(decision.events)
        return decision
    }

    @Test func renameInStripeAfterAnAccountantsEditBecomesANameConflictNotAnOverwrite() throws {
        // The demo of issue 9: e-conomic's name and zip are edited; Stripe's rename is decided before Accord has seen
        // that edit (the poll has not run yet), so the e-conomic side Accord knows is stale.
        var w = linkedWorld()
        let renamed = w.observe(jane, Fixtures.janeFields.merging(["name": "Jane Stripe"]) { $1 })
        let write = try #require(Fixtures.payloads(renamed.events, EconomicWriteRequested.self).first)
        #expect(write.patch.fields.keys.sorted() == ["name"], "only the changed field travels: the stale zip is not in the request")
        #expect(write.patch.fields["name"]?.base == "Jane Doe ApS" && write.patch.fields["name"]?.value == "Jane Stripe")
        let linkId = try #require(w.partnering.link(of: jane)?.id)
        #expect(w.partnering.links[linkId]?.economicWrite?.requestId == write.requestId)

        // At send time the worker finds the accountant's name: it keeps it and says so.
        let settled = succeed(
            &w, OutboundSucceeded(requestId: write.requestId, customerNumber: 1042, written: [:], targetMoved: ["name": "Jane Accountant"]))
        #expect(settled.outcome == .writeSettled(linkId))
        #expect(
            Fixtures.payloads(settled.events, LinkWriteSettled.self) == [
                LinkWriteSettled(
                    linkId: linkId, target: .economic, requestId: write.requestId, holds: ["name": "Jane Accountant"], targetMoved: ["name"])
            ])
        #expect(
            Fixtures.payloads(settled.events, ConflictDetected.self) == [
                ConflictDetected(
                    linkId: linkId, field: "name", sourceValue: "Jane Stripe", economicValue: "Jane Accountant", baseValue: "Jane Doe ApS")
            ])
        #expect(Fixtures.payloads(settled.events, EconomicWriteRequested.self).isEmpty)
        #expect(Fixtures.payloads(settled.events, StripeWriteRequested.self).isEmpty)
        let link = try #require(w.partnering.links[linkId])
        #expect(link.economicWrite == nil && link.openConflicts["name"] != nil)

        // The poll then brings the accountant's edit: the name stays in conflict, the zip goes to Stripe.
        let polled = w.observe(e1042, Fixtures.economicJaneFields.merging(["name": "Jane Accountant", "zip": "8000"]) { $1 })
        #expect(Fixtures.payloads(polled.events, ConflictDetected.self).isEmpty, "the same conflict is not recorded twice")
        #expect(Fixtures.payloads(polled.events, EconomicWriteRequested.self).isEmpty)
        let back = try #require(Fixtures.payloads(polled.events, StripeWriteRequested.self).first)
        #expect(back.kind.sentValues == ["address.postal_code": "8000"])
        #expect(w.partnering.links[linkId]?.openConflicts.keys.sorted() == ["name"])
    }

    @Test func writtenFieldMovesTheSeenValueAndNothingElse() throws {
        var w = linkedWorld()
        let renamed = w.observe(jane, Fixtures.janeFields.merging(["name": "Jane Stripe"]) { $1 })
        let write = try #require(Fixtures.payloads(renamed.events, EconomicWriteRequested.self).first)
        let settled = succeed(&w, OutboundSucceeded(requestId: write.requestId, customerNumber: 1042, written: ["name": "Jane Stripe"]))
        #expect(Fixtures.payloads(settled.events, ConflictDetected.self).isEmpty)
        #expect(Fixtures.payloads(settled.events, EconomicWriteRequested.self).isEmpty)
        let link = try #require(w.partnering.link(of: jane))
        #expect(link.economicWrite == nil)
        #expect(link.agreed["name"] == "Jane Stripe" && link.economicSeen["name"] == "Jane Stripe" && link.sourceSeen["name"] == "Jane Stripe")
        // The echo of the write, polled later, is absorbed.
        #expect(w.observe(e1042, Fixtures.economicJaneFields.merging(["name": "Jane Stripe"]) { $1 }).events.isEmpty)
    }

    @Test func whileAWriteIsOpenTheTargetsReportsWaitForItsOutcome() throws {
        var w = linkedWorld()
        _ = w.observe(jane, Fixtures.janeFields.merging(["name": "Jane Stripe"]) { $1 })
        let agreedBefore = w.partnering.link(of: jane)?.economicSeen["name"]
        // A poll of e-conomic before the write is sent still shows the old name: neither a change nor a revert.
        let early = w.observe(e1042, Fixtures.economicJaneFields)
        #expect(Fixtures.payloads(early.events, StripeWriteRequested.self).isEmpty)
        #expect(Fixtures.payloads(early.events, EconomicWriteRequested.self).isEmpty)
        #expect(w.partnering.link(of: jane)?.economicSeen["name"] == agreedBefore)
    }

    @Test func newerChangeSupersedesTheOpenWriteAndCarriesItForward() throws {
        var w = linkedWorld()
        let first = try #require(
            Fixtures.payloads(w.observe(jane, Fixtures.janeFields.merging(["address.city": "Aarhus"]) { $1 }).events, EconomicWriteRequested.self)
                .first)
        let second = try #require(
            Fixtures.payloads(
                w.observe(jane, Fixtures.janeFields.merging(["address.city": "Odense", "address.postal_code": "5000"]) { $1 }).events,
                EconomicWriteRequested.self
            ).first)
        #expect(second.supersedes == [first.requestId])
        #expect(second.patch.values == ["city": "Odense", "zip": "5000"])
        #expect(second.patch.fields["city"]?.base == "Copenhagen" && second.patch.fields["city"]?.superseded == ["Aarhus"])
        #expect(w.partnering.link(of: jane)?.economicWrite?.requestId == second.requestId)
        // The older one's outcome, should it still arrive, changes nothing: the link waits for the newer one.
        let late = succeed(&w, OutboundSucceeded(requestId: first.requestId, customerNumber: 1042, written: ["city": "Aarhus"]))
        #expect(late.events.isEmpty)
        #expect(w.partnering.link(of: jane)?.economicWrite?.requestId == second.requestId)
    }

    @Test func clearAllowedByEmptyOverwritesIsSentAsAClearAndSettledByWhatTheTargetHolds() throws {
        var w = linkedWorld { $0.emptyOverwrites = ["telephoneAndFaxNumber"] }
        var fields = Fixtures.janeFields
        fields["phone"] = nil
        let cleared = w.observe(jane, fields)
        let write = try #require(Fixtures.payloads(cleared.events, EconomicWriteRequested.self).first)
        #expect(write.patch.fields["telephoneAndFaxNumber"] == FieldWrite(value: "", base: "+45 12 34 56 78", kind: .phone))
        // e-conomic really cleared it.
        var done = w
        let settled = succeed(&done, OutboundSucceeded(requestId: write.requestId, customerNumber: 1042, written: ["telephoneAndFaxNumber": ""]))
        #expect(Fixtures.payloads(settled.events, ConflictDetected.self).isEmpty)
        #expect(done.partnering.link(of: jane)?.economicSeen["telephoneAndFaxNumber"] == nil)
        #expect(done.partnering.link(of: jane)?.agreed["telephoneAndFaxNumber"] == nil)
        // The target kept the value although it was sent cleared: a conflict, not a silent disagreement.
        let kept = succeed(
            &w, OutboundSucceeded(requestId: write.requestId, customerNumber: 1042, written: ["telephoneAndFaxNumber": "+45 12 34 56 78"]))
        let conflict = try #require(Fixtures.payloads(kept.events, ConflictDetected.self).first)
        #expect(conflict.field == "telephoneAndFaxNumber" && conflict.sourceValue == nil && conflict.economicValue == "+45 12 34 56 78")
        #expect(Fixtures.payloads(kept.events, EconomicWriteRequested.self).isEmpty, "not sent again and again")
    }

    @Test func economicChangeToStripeIsAPatchWithStripesBases() throws {
        var w = linkedWorld()
        let changed = w.observe(e1042, Fixtures.economicJaneFields.merging(["city": "Aarhus"]) { $1 })
        let write = try #require(Fixtures.payloads(changed.events, StripeWriteRequested.self).first)
        guard case .patch(let patch) = write.kind else {
            Issue.record("expected a patch, got \(write.kind)")
            return
        }
        #expect(patch.fields["address.city"] == FieldWrite(value: "Aarhus", base: "Copenhagen", kind: .text))
        // Stripe's city was edited meanwhile: kept, and a conflict on the link's field.
        let settled = succeed(&w, OutboundSucceeded(requestId: write.requestId, written: [:], targetMoved: ["address.city": "Roskilde"]))
        let conflict = try #require(Fixtures.payloads(settled.events, ConflictDetected.self).first)
        #expect(conflict.field == "city" && conflict.sourceValue == "Roskilde" && conflict.economicValue == "Aarhus")
        #expect(conflict.baseValue == "Copenhagen")
        #expect(w.partnering.link(of: jane)?.sourceWrite == nil)
    }
}
