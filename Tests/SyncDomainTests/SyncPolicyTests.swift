import Foundation
import SyncDomain
import Testing

/// A tiny in-memory world for given/when/then tests of the reactor's decisions.
struct World {
    var settings = TenantSettings.default
    var partnering = PartneringState.initial
    var customers: [CustomerRef: CustomerState] = [:]
    var counter = 0

    /// Records an observation the way the customer decider would, and returns the reactor's decision.
    mutating func observe(_ ref: CustomerRef, _ fields: [String: String]) -> SyncDecision {
        let event = CustomerObserved(customer: ref, fields: fields)
        customers[ref] = CustomerDecider.evolve(customers[ref] ?? .initial, .customerObserved(event))
        counter += 1
        let decision = SyncPolicy.decide(observed: event, causationId: Fixtures.uuid(1000 + counter), context: context(for: ref))
        apply(decision.events)
        return decision
    }

    func context(for ref: CustomerRef) -> SyncContext {
        let customers = self.customers
        let economicIndex = customers.values.filter { $0.customer?.system == .economic && !$0.isExcluded }
        let settings = self.settings
        return SyncContext(
            settings: settings, partnering: partnering, customer: customers[ref] ?? .initial,
            customerFacts: { customers[$0].flatMap(CustomerFacts.init) },
            lookup: { key in
                economicIndex.filter { MatchResolver.economicKeys($0.fields, settings: settings).contains(key) }
                    .compactMap(\.customer).sorted().map(MatchCandidate.free)
            })
    }

    mutating func apply(_ events: [SyncEvent]) {
        for event in events {
            partnering = PartneringDecider.evolve(partnering, event)
            if let ref = event.homeStream.customer {
                customers[ref] = CustomerDecider.evolve(customers[ref] ?? .initial, event)
            }
        }
    }
}

@Suite struct SyncPolicyTests {
    let jane = Fixtures.stripeJane
    let e1042 = Fixtures.economic1042

    func world(_ change: (inout TenantSettings) -> Void = { _ in }) -> World {
        var world = World()
        change(&world.settings)
        return world
    }

    // MARK: Unlinked source customers

    @Test func excludedCustomerIsLeftAlone() {
        var w = world()
        w.customers[jane] = CustomerState(customer: jane, fields: [:], exists: true, isExcluded: true)
        let decision = w.observe(jane, Fixtures.janeFields)
        #expect(decision.outcome == .excluded(jane))
        #expect(decision.events.isEmpty)
    }

    @Test func autoMatchByEmail() throws {
        var w = world()
        _ = w.observe(e1042, Fixtures.economicJaneFields)
        let decision = w.observe(jane, Fixtures.janeFields)
        let key = MatchKey(kind: .email, normalizedValue: "jane@example.com")
        guard case .linked(let linkId, key) = decision.outcome else {
            Issue.record("expected a link, got \(decision.outcome)")
            return
        }
        let linked = try #require(Fixtures.payloads(decision.events, PartnerLinked.self).first)
        #expect(linked.origin == .autoMatch(key: key) && linked.linkId == linkId && linked.economic == e1042)
        #expect(decision.events.count == 1, "the pair already agrees")
        #expect(w.partnering.link(of: jane)?.economic == e1042)
    }

    @Test func autoMatchFillsWhatEconomicLacks() throws {
        var w = world()
        var economic = Fixtures.economicJaneFields
        economic["telephoneAndFaxNumber"] = nil
        _ = w.observe(e1042, economic)
        let decision = w.observe(jane, Fixtures.janeFields)
        let write = try #require(Fixtures.payloads(decision.events, EconomicWriteRequested.self).first)
        #expect(write.patch.values["telephoneAndFaxNumber"] == "+45 12 34 56 78")
        #expect(write.linkId == w.partnering.link(of: jane)?.id)
    }

    @Test func emptyMatchFieldIsAVisibleFailureNotACreate() {
        var w = world()
        let decision = w.observe(jane, ["name": "Jane"])
        #expect(decision.outcome == .matchFailed(.matchFieldMissing(field: "email")))
        #expect(decision.events == [.matchFailed(MatchFailed(customer: jane, reason: .matchFieldMissing(field: "email")))])
    }

    @Test func ambiguousMatchIsRecordedOnce() {
        var w = world()
        _ = w.observe(.economic(1), ["name": "A", "email": "jane@example.com"])
        _ = w.observe(.economic(2), ["name": "B", "email": "JANE@example.com other@x.dk"])
        let decision = w.observe(jane, Fixtures.janeFields)
        let key = MatchKey(kind: .email, normalizedValue: "jane@example.com")
        let failure = MatchFailure.ambiguous(key: key, candidates: [.free(.economic(1)), .free(.economic(2))])
        #expect(decision.outcome == .matchFailed(failure))
        #expect(decision.events == [.matchFailed(MatchFailed(customer: jane, reason: failure))])
        // The reactor sees the same event again (e.g. after a restart): nothing new is recorded.
        let again = SyncPolicy.decide(
            observed: CustomerObserved(customer: jane, fields: Fixtures.janeFields), causationId: Fixtures.uuid(5), context: w.context(for: jane))
        #expect(again.events.isEmpty)
    }

    @Test func candidateAlreadyLinkedToAnotherSource() {
        var w = world()
        _ = w.observe(e1042, Fixtures.economicJaneFields)
        w.partnering = PartneringDecider.evolve(
            w.partnering, .partnerLinked(PartnerLinked(linkId: LinkID(Fixtures.uuid(3)), source: .stripe("cus_old"), economic: e1042, origin: .user)))
        let decision = w.observe(jane, Fixtures.janeFields)
        let key = MatchKey(kind: .email, normalizedValue: "jane@example.com")
        #expect(decision.outcome == .matchFailed(.candidateAlreadyLinked(key: key, candidates: [.linked(e1042, to: .stripe("cus_old"))])))
    }

    @Test func secondCustomerWithTheKeyOfAPendingCreationIsNotCreatedTwice() {
        var w = world()
        let first = w.observe(jane, Fixtures.janeFields)
        guard case .creationRequested(let requestId) = first.outcome else {
            Issue.record("expected a creation, got \(first.outcome)")
            return
        }
        let twin = CustomerRef.stripe("cus_twin")
        let decision = w.observe(twin, ["name": "Jane again", "email": "jane@example.com"])
        let key = MatchKey(kind: .email, normalizedValue: "jane@example.com")
        #expect(
            decision.outcome
                == .matchFailed(.candidateAlreadyLinked(key: key, candidates: [MatchCandidate(target: .pendingCreation(requestId), partner: jane)])))
        // And the first customer's next observation does not request another creation.
        #expect(w.observe(jane, Fixtures.janeFields.merging(["name": "Jane Doe A/S"]) { $1 }).outcome == .creationPending(requestId))
    }

    @Test(arguments: [("DK", "1"), ("DE", "2"), ("US", "3")])
    func automaticCreateWithDefaultsAndVatZoneByCountry(country: String, zone: String) throws {
        var w = world()
        var fields = Fixtures.janeFields
        fields["address.country"] = country
        let decision = w.observe(jane, fields)
        let write = try #require(Fixtures.payloads(decision.events, EconomicWriteRequested.self).first)
        let requested = try #require(Fixtures.payloads(decision.events, PartnerCreationRequested.self).first)
        #expect(decision.outcome == .creationRequested(write.requestId))
        #expect(write.kind == .create && write.reason == .autoCreate && write.source == jane)
        #expect(write.payload["vatZone"] == zone)
        #expect(write.payload["paymentTerms"] == "1" && write.payload["customerGroup"] == "1" && write.payload["currency"] == "DKK")
        #expect(write.payload["customerNumber"] == nil)
        #expect(write.matchKeys == [MatchKey(kind: .email, normalizedValue: "jane@example.com")])
        #expect(requested.requestId == write.requestId && requested.numbering == .economicAssigns)
        #expect(write.requestId == RequestID.derived(from: decision.causationId, purpose: "auto-create:stripe:cus_jane"))
    }

    @Test func automaticCreateWithNumberFromSource() throws {
        var w = world { $0.numbering = .fromSource(field: "metadata.no") }
        var fields = Fixtures.janeFields
        fields["metadata.no"] = "4711"
        let decision = w.observe(jane, fields)
        #expect(Fixtures.payloads(decision.events, EconomicWriteRequested.self).first?.payload["customerNumber"] == "4711")
        #expect(Fixtures.payloads(decision.events, PartnerCreationRequested.self).first?.customerNumber == 4711)

        var w2 = world { $0.numbering = .fromSource(field: "metadata.no") }
        let missing = w2.observe(jane, Fixtures.janeFields)
        #expect(missing.outcome == .mappingFailed)
        #expect(
            Fixtures.payloads(missing.events, MappingFailed.self).first?.error
                == MappingError(problems: [.customerNumberMissing(sourceField: "metadata.no")]))
    }

    @Test func manualCreatePolicyLeavesTheCustomerUnpartnered() {
        var w = world { $0.createPolicy = .manual }
        let decision = w.observe(jane, Fixtures.janeFields)
        #expect(decision.outcome == .leftUnpartnered)
        #expect(decision.events.isEmpty)
    }

    @Test func decisionsAreDeterministic() {
        let w = world()
        let context = w.context(for: jane)
        let event = CustomerObserved(customer: jane, fields: Fixtures.janeFields)
        let a = SyncPolicy.decide(observed: event, causationId: Fixtures.uuid(9), context: context)
        let b = SyncPolicy.decide(observed: event, causationId: Fixtures.uuid(9), context: context)
        #expect(a == b)
        let c = SyncPolicy.decide(observed: event, causationId: Fixtures.uuid(10), context: context)
        #expect(
            Fixtures.payloads(a.events, EconomicWriteRequested.self).first?.requestId
                != Fixtures.payloads(c.events, EconomicWriteRequested.self).first?.requestId)
    }

    // MARK: Linked pairs

    /// A world where Jane (Stripe or file) and e-conomic 1042 are linked and agree.
    func linkedWorld(source: CustomerRef = Fixtures.stripeJane, _ change: (inout TenantSettings) -> Void = { _ in }) -> World {
        var w = world(change)
        _ = w.observe(e1042, Fixtures.economicJaneFields)
        _ = w.observe(source, Fixtures.janeFields)
        #expect(w.partnering.link(of: source) != nil)
        return w
    }

    @Test func sourceChangeUpdatesEconomicWithAPatchWithBases() throws {
        var w = linkedWorld()
        var economic = Fixtures.economicJaneFields
        economic["website"] = "https://jane.example"
        _ = w.observe(e1042, economic)
        let decision = w.observe(jane, Fixtures.janeFields.merging(["address.city": "Aarhus"]) { $1 })
        let write = try #require(Fixtures.payloads(decision.events, EconomicWriteRequested.self).first)
        #expect(write.kind == .update(customerNumber: 1042) && write.reason == .sourceChanged)
        #expect(write.patch.values == ["city": "Aarhus"] && write.patch.fields["city"]?.base == economic["city"] && write.payload.isEmpty)
        #expect(Fixtures.payloads(decision.events, LinkSynced.self).first?.agreed["city"] == "Aarhus")
        #expect(Fixtures.payloads(decision.events, StripeWriteRequested.self).isEmpty)
    }

    @Test func loopPreventionAbsorbsTheEchoOfOurWrite() throws {
        var w = linkedWorld()
        _ = w.observe(jane, Fixtures.janeFields.merging(["address.city": "Aarhus"]) { $1 })
        // e-conomic now reports the value Accord wrote: no write either way.
        let echo = w.observe(e1042, Fixtures.economicJaneFields.merging(["city": "Aarhus"]) { $1 })
        #expect(Fixtures.payloads(echo.events, EconomicWriteRequested.self).isEmpty)
        #expect(Fixtures.payloads(echo.events, StripeWriteRequested.self).isEmpty)
        // The same again changes nothing at all.
        let again = w.observe(e1042, Fixtures.economicJaneFields.merging(["city": "Aarhus", "name": "Jane Doe ApS"]) { $1 })
        #expect(again.events.isEmpty)
        // Trimmed or re-cased echoes are absorbed too.
        let trimmed = w.observe(e1042, Fixtures.economicJaneFields.merging(["city": " Aarhus ", "email": "JANE@EXAMPLE.COM"]) { $1 })
        #expect(trimmed.events.isEmpty)
    }

    @Test func economicChangeIsWrittenBackToStripe() throws {
        var w = linkedWorld()
        let decision = w.observe(e1042, Fixtures.economicJaneFields.merging(["address": "New Road 5\n3rd floor", "country": "Germany"]) { $1 })
        let write = try #require(Fixtures.payloads(decision.events, StripeWriteRequested.self).first)
        #expect(write.kind.sentValues == ["address.line1": "New Road 5", "address.line2": "3rd floor", "address.country": "DE"])
        #expect(write.reason == .economicChanged && write.customerId == "cus_jane")
        #expect(Fixtures.payloads(decision.events, EconomicWriteRequested.self).isEmpty)
    }

    @Test func fileSourceRecordsEconomicChangesWithoutBouncingThemBack() throws {
        let row = CustomerRef.file("42")
        var w = linkedWorld(source: row)
        let change = w.observe(e1042, Fixtures.economicJaneFields.merging(["city": "Odense"]) { $1 })
        #expect(Fixtures.payloads(change.events, StripeWriteRequested.self).isEmpty)
        #expect(Fixtures.payloads(change.events, EconomicWriteRequested.self).isEmpty)
        #expect(w.partnering.link(of: row)?.agreed["city"] == "Odense")
        // Re-importing the unchanged file (still Copenhagen) does not undo the e-conomic change…
        let reimport = w.observe(row, Fixtures.janeFields)
        #expect(Fixtures.payloads(reimport.events, EconomicWriteRequested.self).isEmpty)
        // …but a real edit in the file does reach e-conomic.
        let edited = w.observe(row, Fixtures.janeFields.merging(["address.city": "Vejle"]) { $1 })
        #expect(Fixtures.payloads(edited.events, EconomicWriteRequested.self).first?.patch.values["city"] == "Vejle")
    }

    @Test func conflictingChangesAreDetectedOnce() throws {
        var w = linkedWorld()
        // Stripe changes the city…
        w.customers[jane] = CustomerDecider.evolve(
            w.customers[jane]!,
            .customerObserved(CustomerObserved(customer: jane, fields: Fixtures.janeFields.merging(["address.city": "Aarhus"]) { $1 })))
        // …while e-conomic changes it differently, and Accord hears of e-conomic first.
        let decision = w.observe(e1042, Fixtures.economicJaneFields.merging(["city": "Odense"]) { $1 })
        let linkId = try #require(w.partnering.link(of: jane)?.id)
        #expect(
            Fixtures.payloads(decision.events, ConflictDetected.self) == [
                ConflictDetected(linkId: linkId, field: "city", sourceValue: "Aarhus", economicValue: "Odense", baseValue: "Copenhagen")
            ])
        #expect(Fixtures.payloads(decision.events, EconomicWriteRequested.self).isEmpty)
        #expect(Fixtures.payloads(decision.events, StripeWriteRequested.self).isEmpty)
        #expect(w.partnering.links[linkId]?.openConflicts["city"] != nil)
        // Hearing the same again records nothing new.
        let again = w.observe(jane, Fixtures.janeFields.merging(["address.city": "Aarhus"]) { $1 })
        #expect(again.events.isEmpty)
        // Other fields still synchronise while the conflict is open.
        let other = w.observe(jane, Fixtures.janeFields.merging(["address.city": "Aarhus", "address.postal_code": "8000"]) { $1 })
        #expect(Fixtures.payloads(other.events, EconomicWriteRequested.self).first?.patch.values["zip"] == "8000")
        #expect(
            Fixtures.payloads(other.events, EconomicWriteRequested.self).first?.patch.fields["city"] == nil, "the conflicting field is not written")
        // When the sides come to agree, the conflict is cleared.
        let agree = w.observe(e1042, Fixtures.economicJaneFields.merging(["city": "Aarhus", "zip": "8000"]) { $1 })
        #expect(Fixtures.payloads(agree.events, LinkSynced.self).first?.clearedConflicts == ["city"])
        #expect(w.partnering.links[linkId]?.openConflicts.isEmpty == true)
    }

    @Test func conflictPolicyResolvesAutomatically() throws {
        var w = linkedWorld { $0.conflictPolicies = ["city": .sourceWins] }
        w.customers[jane] = CustomerDecider.evolve(
            w.customers[jane]!,
            .customerObserved(CustomerObserved(customer: jane, fields: Fixtures.janeFields.merging(["address.city": "Aarhus"]) { $1 })))
        let decision = w.observe(e1042, Fixtures.economicJaneFields.merging(["city": "Odense"]) { $1 })
        #expect(Fixtures.payloads(decision.events, ConflictDetected.self).isEmpty)
        #expect(Fixtures.payloads(decision.events, EconomicWriteRequested.self).first?.patch.values["city"] == "Aarhus")
    }

    @Test func emptiedSourceValueDoesNotBlankEconomic() {
        var w = linkedWorld()
        var fields = Fixtures.janeFields
        fields["phone"] = nil
        let decision = w.observe(jane, fields)
        #expect(Fixtures.payloads(decision.events, EconomicWriteRequested.self).isEmpty)
        #expect(w.partnering.link(of: jane)?.agreed["telephoneAndFaxNumber"] == "+45 12 34 56 78")
        // Allowed explicitly, the clear goes through.
        var w2 = linkedWorld { $0.emptyOverwrites = ["telephoneAndFaxNumber"] }
        let cleared = w2.observe(jane, fields)
        let write = Fixtures.payloads(cleared.events, EconomicWriteRequested.self).first
        #expect(write != nil && write?.patch.fields["telephoneAndFaxNumber"]?.clears == true)
    }

    @Test func stoppedPairIsNotSynchronisedUntilRestarted() throws {
        var w = linkedWorld()
        let linkId = try #require(w.partnering.link(of: jane)?.id)
        w.apply([.syncStopped(SyncStopped(linkId: linkId))])
        let changed = Fixtures.janeFields.merging(["address.city": "Aarhus"]) { $1 }
        let whileStopped = w.observe(jane, changed)
        #expect(whileStopped.outcome == .stopped(linkId) && whileStopped.events.isEmpty)
        w.apply([.syncRestarted(SyncRestarted(linkId: linkId))])
        let afterRestart = w.observe(e1042, Fixtures.economicJaneFields)
        #expect(Fixtures.payloads(afterRestart.events, EconomicWriteRequested.self).first?.patch.values["city"] == "Aarhus")
    }

    @Test func excludedPartnerStopsSynchronisation() {
        var w = linkedWorld()
        w.customers[e1042]?.isExcluded = true
        let decision = w.observe(jane, Fixtures.janeFields.merging(["address.city": "Aarhus"]) { $1 })
        #expect(decision.outcome == .excluded(e1042) && decision.events.isEmpty)
    }

    @Test func unmappableLinkedCustomerIsReported() {
        var w = linkedWorld()
        let decision = w.observe(jane, Fixtures.janeFields.merging(["name": String(repeating: "n", count: 300)]) { $1 })
        #expect(decision.outcome == .mappingFailed)
        #expect(Fixtures.payloads(decision.events, MappingFailed.self).first?.linkId == w.partnering.link(of: jane)?.id)
    }

    @Test func unpartneredEconomicCustomerNeedsNothing() {
        var w = world()
        #expect(w.observe(e1042, Fixtures.economicJaneFields).outcome == .unpartneredEconomicCustomer)
    }

    // MARK: Outbound results

    @Test func successfulCreationIsLinkedAndTheNumberWrittenBack() throws {
        var w = world { $0.numbering = .economicAssigns(writeBackMetadataKey: "economic_number") }
        let created = w.observe(jane, Fixtures.janeFields)
        guard case .creationRequested(let requestId) = created.outcome else {
            Issue.record("expected a creation")
            return
        }
        let succeeded = OutboundSucceeded(requestId: requestId, customerNumber: 514_218_104)
        let decision = SyncPolicy.decide(
            succeeded: succeeded, causationId: Fixtures.uuid(2000), partnering: w.partnering, settings: w.settings,
            customerFacts: { [customers = w.customers] in customers[$0].flatMap(CustomerFacts.init) })
        guard case .partnerCreated = decision.outcome else {
            Issue.record("expected partnerCreated, got \(decision.outcome)")
            return
        }
        #expect(Fixtures.payloads(decision.events, PartnerLinked.self).first?.economic == .economic(514_218_104))
        #expect(Fixtures.payloads(decision.events, StripeWriteRequested.self).first?.kind == .metadata(["economic_number": "514218104"]))
        // Not a creation: nothing to do.
        let other = SyncPolicy.decide(
            succeeded: OutboundSucceeded(requestId: RequestID(Fixtures.uuid(1))), causationId: Fixtures.uuid(2001), partnering: w.partnering,
            settings: w.settings)
        #expect(other.outcome == .nothingToDo && other.events.isEmpty)
    }

    @Test func creationCompletedAfterAManualLinkIsCancelledVisibly() throws {
        var w = world()
        let created = w.observe(jane, Fixtures.janeFields)
        guard case .creationRequested(let requestId) = created.outcome else {
            Issue.record("expected a creation")
            return
        }
        w.apply([.partnerLinked(PartnerLinked(linkId: LinkID(Fixtures.uuid(4)), source: jane, economic: .economic(7), origin: .user))])
        let decision = SyncPolicy.decide(
            succeeded: OutboundSucceeded(requestId: requestId, customerNumber: 8), causationId: Fixtures.uuid(2002), partnering: w.partnering,
            settings: w.settings)
        #expect(decision.outcome == .creationOrphaned(requestId))
        let cancelled = try #require(Fixtures.payloads(decision.events, PartnerCreationCancelled.self).first)
        #expect(cancelled.reason.contains("e-conomic customer 8") && cancelled.reason.contains("stripe:cus_jane"))
    }
}
