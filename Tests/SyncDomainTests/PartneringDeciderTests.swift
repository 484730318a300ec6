import Foundation
import SyncDomain
import Testing

@Suite struct PartneringDeciderTests {
    let jane = Fixtures.stripeJane
    let e1042 = Fixtures.economic1042
    let commandId = Fixtures.uuid(77)

    func context(_ customers: [CustomerFacts], settings: TenantSettings = .default, numbers: Set<Int> = []) -> PartneringContext {
        PartneringContext(commandId: commandId, settings: settings, customers: customers, economicNumbersInUse: numbers)
    }

    var janeFacts: CustomerFacts { CustomerFacts(customer: jane, fields: Fixtures.janeFields) }
    var economicFacts: CustomerFacts { CustomerFacts(customer: e1042, fields: Fixtures.economicJaneFields) }

    // MARK: Select partner

    @Test func selectPartnerLinksAgreeingCustomers() throws {
        let events = try PartneringDecider.decide(
            .selectPartner(source: jane, economic: e1042), state: .initial, context: context([janeFacts, economicFacts]))
        let linked = try #require(Fixtures.payloads(events, PartnerLinked.self).first)
        #expect(events.count == 1)
        #expect(linked.origin == .user)
        #expect(linked.source == jane && linked.economic == e1042)
        #expect(linked.linkId == LinkID.derived(from: commandId, purpose: "select:stripe:cus_jane"))
        #expect(linked.agreed["email"] == "jane@example.com")
        #expect(linked.agreed["country"] == "Denmark")
        #expect(linked.agreed.count == 7)
        let state = PartneringDecider.fold(events)
        #expect(state.link(of: jane)?.economic == e1042)
        #expect(state.link(of: e1042)?.source == jane)
    }

    @Test func selectPartnerSynchronisesTheNewPair() throws {
        var economic = economicFacts
        economic.fields["city"] = "Aarhus"
        economic.fields["telephoneAndFaxNumber"] = nil
        economic.fields["website"] = "https://jane.example"
        let events = try PartneringDecider.decide(
            .selectPartner(source: jane, economic: e1042), state: .initial, context: context([janeFacts, economic]))
        let conflict = try #require(Fixtures.payloads(events, ConflictDetected.self).first)
        #expect(conflict.field == "city" && conflict.sourceValue == "Copenhagen" && conflict.economicValue == "Aarhus" && conflict.baseValue == nil)
        let write = try #require(Fixtures.payloads(events, EconomicWriteRequested.self).first)
        #expect(write.kind == .update(customerNumber: 1042))
        #expect(write.patch.values["telephoneAndFaxNumber"] == "+45 12 34 56 78")
        #expect(write.patch.fields["city"] == nil, "a conflicting field is not written")
        #expect(write.patch.fields["website"] == nil, "unmanaged fields are not in the patch: the worker keeps the live ones")
        #expect(write.patch.fields.keys.sorted() == ["telephoneAndFaxNumber"] && write.patch.fields["telephoneAndFaxNumber"]?.base == "")
        #expect(events.first.map { $0.homeStream } == .partners)
        #expect(StreamName.outbound(write.requestId) == SyncEvent.economicWriteRequested(write).homeStream)
    }

    @Test("a Stripe customer linked to an existing e-conomic customer gets its number written back, unless it carries it or the tenant said no")
    func selectPartnerWritesTheNumberBack() throws {
        var settings = Fixtures.settings { $0.numbering = .economicAssigns(writeBackMetadataKey: "economic_number") }
        let events = try PartneringDecider.decide(
            .selectPartner(source: jane, economic: e1042), state: .initial, context: context([janeFacts, economicFacts], settings: settings))
        let link = try #require(Fixtures.payloads(events, PartnerLinked.self).first)
        let writeBack = try #require(Fixtures.payloads(events, StripeWriteRequested.self).first { $0.reason == .customerNumberWriteBack })
        #expect(writeBack.kind == .metadata(["economic_number": "1042"]) && writeBack.customerId == jane.id && writeBack.linkId == link.linkId)
        #expect(writeBack.requestId == .numberWriteBack(linked: link.linkId), "derived from the link: deciding it again asks once")

        var carrying = Fixtures.janeFields
        carrying["metadata.economic_number"] = "1042"
        let already = try PartneringDecider.decide(
            .selectPartner(source: jane, economic: e1042), state: .initial,
            context: context([CustomerFacts(customer: jane, fields: carrying), economicFacts], settings: settings))
        #expect(!Fixtures.payloads(already, StripeWriteRequested.self).contains { $0.reason == .customerNumberWriteBack })

        settings.writeBackToLinked = false
        let declined = try PartneringDecider.decide(
            .selectPartner(source: jane, economic: e1042), state: .initial, context: context([janeFacts, economicFacts], settings: settings))
        #expect(!Fixtures.payloads(declined, StripeWriteRequested.self).contains { $0.reason == .customerNumberWriteBack })
        let noKey = try PartneringDecider.decide(
            .selectPartner(source: jane, economic: e1042), state: .initial, context: context([janeFacts, economicFacts]))
        #expect(!Fixtures.payloads(noKey, StripeWriteRequested.self).contains { $0.reason == .customerNumberWriteBack })
    }

    @Test func selectPartnerErrors() throws {
        let linkedState = Fixtures.linkedState(agreed: [:])
        let other = CustomerRef.stripe("cus_other")
        let e7 = CustomerRef.economic(7)
        let facts = [
            janeFacts, economicFacts, CustomerFacts(customer: other, fields: ["email": "o@x.dk"]),
            CustomerFacts(customer: e7, fields: ["name": "Seven"]),
        ]
        #expect(throws: PartneringDecider.Error.alreadyPartnered(jane, partner: e1042)) {
            try PartneringDecider.decide(.selectPartner(source: jane, economic: e7), state: linkedState, context: context(facts))
        }
        #expect(throws: PartneringDecider.Error.alreadyPartnered(e1042, partner: jane)) {
            try PartneringDecider.decide(.selectPartner(source: other, economic: e1042), state: linkedState, context: context(facts))
        }
        #expect(throws: PartneringDecider.Error.invalidPair(source: e7, economic: other)) {
            try PartneringDecider.decide(.selectPartner(source: e7, economic: other), state: .initial, context: context(facts))
        }
        #expect(throws: PartneringDecider.Error.unknownCustomer(.economic(99))) {
            try PartneringDecider.decide(.selectPartner(source: other, economic: .economic(99)), state: .initial, context: context(facts))
        }
        var excluded = facts
        excluded[2].isExcluded = true
        #expect(throws: PartneringDecider.Error.customerExcluded(other)) {
            try PartneringDecider.decide(.selectPartner(source: other, economic: e7), state: .initial, context: context(excluded))
        }
        var deleted = facts
        deleted[3].isDeleted = true
        #expect(throws: PartneringDecider.Error.customerDeleted(e7)) {
            try PartneringDecider.decide(.selectPartner(source: other, economic: e7), state: .initial, context: context(deleted))
        }
    }

    // MARK: Unlink, stop, restart

    @Test func unlinkAndUndoAWrongMatch() throws {
        let linkId = LinkID(Fixtures.uuid(900))
        let state = Fixtures.linkedState(agreed: [:], linkId: linkId)
        let events = try PartneringDecider.decide(.unlink(linkId), state: state, context: context([]))
        #expect(events == [.partnerUnlinked(PartnerUnlinked(linkId: linkId, reason: .user))])
        let after = PartneringDecider.evolve(state, events[0])
        #expect(after.link(of: jane) == nil && after.link(of: e1042) == nil && after.links.isEmpty)
        #expect(throws: PartneringDecider.Error.unknownLink(linkId)) {
            try PartneringDecider.decide(.unlink(linkId), state: after, context: context([]))
        }
    }

    @Test func stopAndRestart() throws {
        let linkId = LinkID(Fixtures.uuid(900))
        let state = Fixtures.linkedState(agreed: [:], linkId: linkId)
        #expect(throws: PartneringDecider.Error.notStopped(linkId)) {
            try PartneringDecider.decide(.restartSync(linkId), state: state, context: context([]))
        }
        let stopped = try PartneringDecider.decide(.stopSync(linkId), state: state, context: context([]))
        #expect(stopped == [.syncStopped(SyncStopped(linkId: linkId))])
        let afterStop = PartneringDecider.evolve(state, stopped[0])
        #expect(afterStop.links[linkId]?.isStopped == true)
        #expect(throws: PartneringDecider.Error.alreadyStopped(linkId)) {
            try PartneringDecider.decide(.stopSync(linkId), state: afterStop, context: context([]))
        }
        let restarted = try PartneringDecider.decide(.restartSync(linkId), state: afterStop, context: context([]))
        #expect(PartneringDecider.evolve(afterStop, restarted[0]).links[linkId]?.isStopped == false)
        let unknown = LinkID(Fixtures.uuid(1))
        #expect(throws: PartneringDecider.Error.unknownLink(unknown)) {
            try PartneringDecider.decide(.stopSync(unknown), state: state, context: context([]))
        }
    }

    // MARK: Create partner

    @Test func createPartnerLetEconomicAssign() throws {
        let events = try PartneringDecider.decide(.createPartner(jane, numbering: .economicAssigns), state: .initial, context: context([janeFacts]))
        let requested = try #require(Fixtures.payloads(events, PartnerCreationRequested.self).first)
        let write = try #require(Fixtures.payloads(events, EconomicWriteRequested.self).first)
        #expect(requested.requestId == write.requestId)
        #expect(requested.customerNumber == nil && write.payload["customerNumber"] == nil)
        #expect(write.kind == .create && write.reason == .createPartner && write.source == jane)
        #expect(write.matchKeys == [MatchKey(kind: .email, normalizedValue: "jane@example.com")])
        #expect(write.payload["name"] == "Jane Doe ApS" && write.payload["vatZone"] == "1" && write.payload["currency"] == "DKK")
        let state = PartneringDecider.fold(events)
        #expect(state.pendingCreation(from: jane)?.requestId == requested.requestId)
        #expect(throws: PartneringDecider.Error.creationPending(jane, requestId: requested.requestId)) {
            try PartneringDecider.decide(.createPartner(jane, numbering: .economicAssigns), state: state, context: context([janeFacts]))
        }
    }

    @Test func createPartnerWithSameNumberAsSource() throws {
        let row = CustomerFacts(customer: .file("0042"), fields: ["name": "Row", "customer_number": "0042"])
        let events = try PartneringDecider.decide(.createPartner(row.customer, numbering: .sameAsSource), state: .initial, context: context([row]))
        #expect(Fixtures.payloads(events, EconomicWriteRequested.self).first?.payload["customerNumber"] == "42")
        #expect(Fixtures.payloads(events, PartnerCreationRequested.self).first?.customerNumber == 42)

        let settings = Fixtures.settings { $0.numbering = .fromSource(field: "metadata.no") }
        var stripe = janeFacts
        stripe.fields["metadata.no"] = "3001"
        let fromMetadata = try PartneringDecider.decide(
            .createPartner(jane, numbering: .sameAsSource), state: .initial, context: context([stripe], settings: settings))
        #expect(Fixtures.payloads(fromMetadata, PartnerCreationRequested.self).first?.customerNumber == 3001)

        #expect(throws: PartneringDecider.Error.mappingFailed(jane, MappingError(problems: [.customerNumberMissing(sourceField: "customer_number")])))
        {
            try PartneringDecider.decide(.createPartner(jane, numbering: .sameAsSource), state: .initial, context: context([janeFacts]))
        }
    }

    @Test func createPartnerWithExplicitNumber() throws {
        let events = try PartneringDecider.decide(
            .createPartner(jane, numbering: .explicit(number: 5001)), state: .initial, context: context([janeFacts]))
        #expect(Fixtures.payloads(events, EconomicWriteRequested.self).first?.payload["customerNumber"] == "5001")
        #expect(throws: PartneringDecider.Error.customerNumberTaken(5001)) {
            try PartneringDecider.decide(
                .createPartner(jane, numbering: .explicit(number: 5001)), state: .initial, context: context([janeFacts], numbers: [5001]))
        }
        #expect(throws: PartneringDecider.Error.invalidCustomerNumber(0)) {
            try PartneringDecider.decide(.createPartner(jane, numbering: .explicit(number: 0)), state: .initial, context: context([janeFacts]))
        }
        #expect(throws: PartneringDecider.Error.invalidCustomerNumber(1_000_000_000)) {
            try PartneringDecider.decide(
                .createPartner(jane, numbering: .explicit(number: 1_000_000_000)), state: .initial, context: context([janeFacts]))
        }
        // A number reserved by a pending creation is taken too.
        let pending = PartneringDecider.fold(events)
        let other = CustomerFacts(customer: .stripe("cus_2"), fields: ["name": "Two"])
        #expect(throws: PartneringDecider.Error.customerNumberTaken(5001)) {
            try PartneringDecider.decide(
                .createPartner(other.customer, numbering: .explicit(number: 5001)), state: pending, context: context([other]))
        }
    }

    @Test func createPartnerOfAnUnmappableCustomerIsRefused() {
        let nameless = CustomerFacts(customer: .stripe("cus_x"), fields: ["phone": "123"])
        #expect(throws: PartneringDecider.Error.mappingFailed(nameless.customer, MappingError(problems: [.requiredFieldMissing(field: "name")]))) {
            try PartneringDecider.decide(
                .createPartner(nameless.customer, numbering: .economicAssigns), state: .initial, context: context([nameless]))
        }
    }

    @Test func createFilePartnerOfAnEconomicCustomer() throws {
        let events = try PartneringDecider.decide(.createPartner(e1042, numbering: .sameAsSource), state: .initial, context: context([economicFacts]))
        let observed = try #require(Fixtures.payloads(events, CustomerObserved.self).first)
        #expect(observed.customer == .file("1042"))
        #expect(observed.fields["customer_number"] == "1042")
        #expect(observed.fields["name"] == "Jane Doe ApS" && observed.fields["address.country"] == "DK")
        let linked = try #require(Fixtures.payloads(events, PartnerLinked.self).first)
        #expect(linked.origin == .copiedToFile && linked.source == .file("1042") && linked.economic == e1042)
        #expect(Fixtures.payloads(events, EconomicWriteRequested.self).isEmpty, "no outbound call")
        #expect(Fixtures.payloads(events, LinkSynced.self).isEmpty, "the copy agrees with its original")

        let explicit = try PartneringDecider.decide(
            .createPartner(e1042, numbering: .explicit(number: 9)), state: .initial, context: context([economicFacts]))
        #expect(Fixtures.payloads(explicit, CustomerObserved.self).first?.customer == .file("9"))

        let existing = CustomerFacts(customer: .file("1042"), fields: ["name": "Someone"])
        #expect(throws: PartneringDecider.Error.fileCustomerTaken(.file("1042"))) {
            try PartneringDecider.decide(
                .createPartner(e1042, numbering: .economicAssigns), state: .initial, context: context([economicFacts, existing]))
        }
    }

    @Test func createPartnersForAllSourceCustomers() throws {
        let a = CustomerFacts(customer: .stripe("cus_a"), fields: ["name": "A"])
        let b = CustomerFacts(customer: .stripe("cus_b"), fields: ["email": "b@x.dk"])
        let excluded = CustomerFacts(customer: .stripe("cus_c"), fields: ["name": "C"], isExcluded: true)
        let unmappable = CustomerFacts(customer: .stripe("cus_d"), fields: ["phone": "1"])
        let alreadyLinked = janeFacts
        let state = Fixtures.linkedState(agreed: [:])
        let facts = [a, b, excluded, unmappable, alreadyLinked, economicFacts]
        let plan = PartneringDecider.planCreatePartners(side: .stripe, numbering: .economicAssigns, state: state, context: context(facts))
        #expect(plan.created == [a.customer, b.customer])
        #expect(plan.skipped.keys.sorted() == [unmappable.customer])
        #expect(Fixtures.payloads(plan.events, EconomicWriteRequested.self).count == 2)
        #expect(Fixtures.payloads(plan.events, PartnerCreationRequested.self).map(\.from) == [a.customer, b.customer])
        let events = try PartneringDecider.decide(.createPartners(side: .stripe, numbering: .economicAssigns), state: state, context: context(facts))
        #expect(events == plan.events)
    }

    @Test func createPartnersWithTheSameNumberSkipsTheSecond() {
        let a = CustomerFacts(customer: .file("a"), fields: ["name": "A", "customer_number": "7"])
        let b = CustomerFacts(customer: .file("b"), fields: ["name": "B", "customer_number": "007"])
        let plan = PartneringDecider.planCreatePartners(side: .file, numbering: .sameAsSource, state: .initial, context: context([a, b]))
        #expect(plan.created == [a.customer])
        #expect(plan.skipped[b.customer] == .customerNumberTaken(7))
    }

    @Test func createPartnersForAllEconomicCustomers() throws {
        let e1 = CustomerFacts(customer: .economic(1), fields: ["customerNumber": "1", "name": "One", "city": "Aarhus"])
        let e2 = CustomerFacts(customer: .economic(2), fields: ["customerNumber": "2", "name": "Two"])
        let plan = PartneringDecider.planCreatePartners(side: .economic, numbering: .sameAsSource, state: .initial, context: context([e1, e2]))
        #expect(plan.created == [e1.customer, e2.customer])
        #expect(Fixtures.payloads(plan.events, CustomerObserved.self).map(\.customer) == [.file("1"), .file("2")])
        #expect(Fixtures.payloads(plan.events, PartnerLinked.self).map(\.source) == [.file("1"), .file("2")])
        let state = PartneringDecider.fold(plan.events)
        #expect(state.link(of: .file("1"))?.agreed == ["name": "One", "city": "Aarhus"])
    }

    // MARK: Link created partner

    @Test func linkCreatedPartnerWritesTheNumberBack() throws {
        let settings = Fixtures.settings { $0.numbering = .economicAssigns(writeBackMetadataKey: "economic_number") }
        let created = try PartneringDecider.decide(
            .createPartner(jane, numbering: .economicAssigns), state: .initial, context: context([janeFacts], settings: settings))
        let requestId = try #require(Fixtures.payloads(created, PartnerCreationRequested.self).first?.requestId)
        let state = PartneringDecider.fold(created)
        let events = try PartneringDecider.decide(
            .linkCreatedPartner(requestId, customerNumber: 974_994_345), state: state, context: context([janeFacts], settings: settings))
        let linked = try #require(Fixtures.payloads(events, PartnerLinked.self).first)
        #expect(linked.origin == .created(requestId: requestId))
        #expect(linked.economic == .economic(974_994_345))
        #expect(linked.agreed["name"] == "Jane Doe ApS" && linked.agreed["vatZone"] == nil)
        let writeBack = try #require(Fixtures.payloads(events, StripeWriteRequested.self).first)
        #expect(writeBack.kind == .metadata(["economic_number": "974994345"]))
        #expect(writeBack.customerId == "cus_jane" && writeBack.reason == .customerNumberWriteBack)
        let after = PartneringDecider.fold(created + events)
        #expect(after.pendingCreations.isEmpty)
        #expect(after.link(of: jane)?.economic == .economic(974_994_345))

        // Without a write-back key nothing is written to Stripe.
        let plain = try PartneringDecider.decide(
            .linkCreatedPartner(requestId, customerNumber: 974_994_345), state: state, context: context([janeFacts]))
        #expect(Fixtures.payloads(plain, StripeWriteRequested.self).isEmpty)
        #expect(throws: PartneringDecider.Error.unknownRequest(requestId)) {
            try PartneringDecider.decide(.linkCreatedPartner(requestId, customerNumber: 1), state: after, context: context([]))
        }
    }

    @Test func cancelCreation() throws {
        let created = try PartneringDecider.decide(.createPartner(jane, numbering: .economicAssigns), state: .initial, context: context([janeFacts]))
        let requestId = try #require(Fixtures.payloads(created, PartnerCreationRequested.self).first?.requestId)
        let events = try PartneringDecider.decide(
            .cancelCreation(requestId, reason: "abandoned"), state: PartneringDecider.fold(created), context: context([]))
        #expect(PartneringDecider.fold(created + events).pendingCreations.isEmpty)
        #expect(throws: PartneringDecider.Error.unknownRequest(requestId)) {
            try PartneringDecider.decide(.cancelCreation(requestId, reason: "x"), state: .initial, context: context([]))
        }
    }

    // MARK: Resolve conflict

    /// A linked pair with open conflicts on city and name.
    func conflicted(source: CustomerRef = Fixtures.stripeJane) -> (PartneringState, LinkID) {
        let linkId = LinkID(Fixtures.uuid(900))
        var state = Fixtures.linkedState(source: source, agreed: ["city": "Aarhus", "name": "Jane"], linkId: linkId)
        state = PartneringDecider.evolve(
            state,
            .conflictDetected(ConflictDetected(linkId: linkId, field: "city", sourceValue: "Odense", economicValue: "Vejle", baseValue: "Aarhus")))
        state = PartneringDecider.evolve(
            state,
            .conflictDetected(ConflictDetected(linkId: linkId, field: "name", sourceValue: "Jane Doe", economicValue: "Jane D.", baseValue: "Jane")))
        return (state, linkId)
    }

    /// The Stripe side of ``conflicted(source:)`` as Accord holds it (the bases of writes to Stripe).
    var sourceNow: CustomerFacts {
        CustomerFacts(customer: jane, fields: Fixtures.janeFields.merging(["name": "Jane Doe", "address.city": "Odense"]) { $1 })
    }

    var economicNow: CustomerFacts {
        var facts = economicFacts
        facts.fields["city"] = "Vejle"
        facts.fields["name"] = "Jane D."
        return facts
    }

    @Test func resolveOneFieldKeepingTheSourceValue() throws {
        let (state, linkId) = conflicted()
        let events = try PartneringDecider.decide(.resolveConflict(linkId, choices: ["city": .source]), state: state, context: context([economicNow]))
        #expect(events.first == .conflictResolved(ConflictResolved(linkId: linkId, choices: ["city": .source], resultingValues: ["city": "Odense"])))
        let write = try #require(Fixtures.payloads(events, EconomicWriteRequested.self).first)
        #expect(write.patch.values["city"] == "Odense" && write.patch.fields["name"] == nil && write.reason == .conflictResolved)
        #expect(write.patch.fields["city"]?.base == "Vejle", "the base is what e-conomic holds")
        #expect(Fixtures.payloads(events, StripeWriteRequested.self).isEmpty)
        let after = events.reduce(state, PartneringDecider.evolve)
        let link = try #require(after.links[linkId])
        #expect(link.openConflicts.keys.sorted() == ["name"])
        #expect(link.agreed["city"] == "Odense")
        #expect(link.sourceSeen["city"] == "Odense" && link.economicSeen["city"] == "Vejle")
    }

    @Test func resolveKeepingTheEconomicValueWritesToStripe() throws {
        let (state, linkId) = conflicted()
        let events = try PartneringDecider.decide(
            .resolveConflict(linkId, choices: ["name": .economic]), state: state, context: context([sourceNow, economicNow]))
        #expect(Fixtures.payloads(events, EconomicWriteRequested.self).isEmpty)
        let write = try #require(Fixtures.payloads(events, StripeWriteRequested.self).first)
        #expect(write.kind.sentValues == ["name": "Jane D."] && write.reason == .conflictResolved)
        #expect(write.kind == .patch(FieldPatch(["name": FieldWrite(value: "Jane D.", base: "Jane Doe", kind: .text)])), "based on Stripe's value")
    }

    @Test func resolveWithAThirdValueWritesBothSides() throws {
        let (state, linkId) = conflicted()
        let events = try PartneringDecider.decide(
            .resolveConflict(linkId, choices: ["city": .value(" Kolding "), "name": .source]), state: state,
            context: context([sourceNow, economicNow]))
        #expect(Fixtures.payloads(events, ConflictResolved.self).first?.resultingValues == ["city": "Kolding", "name": "Jane Doe"])
        #expect(Fixtures.payloads(events, EconomicWriteRequested.self).first?.patch.values["city"] == "Kolding")
        #expect(Fixtures.payloads(events, EconomicWriteRequested.self).first?.patch.values["name"] == "Jane Doe")
        #expect(Fixtures.payloads(events, StripeWriteRequested.self).first?.kind.sentValues == ["address.city": "Kolding"])
        #expect(events.reduce(state, PartneringDecider.evolve).links[linkId]?.openConflicts.isEmpty == true)
    }

    @Test func resolvingForAFileSourceWritesNothingToTheFile() throws {
        let (state, linkId) = conflicted(source: .file("7"))
        let events = try PartneringDecider.decide(
            .resolveConflict(linkId, choices: ["city": .economic]), state: state, context: context([economicNow]))
        #expect(events.count == 1, "only ConflictResolved: e-conomic already has the value and the file cannot be written")
    }

    @Test func resolveConflictErrors() {
        let (state, linkId) = conflicted()
        #expect(throws: PartneringDecider.Error.noChoices(linkId)) {
            try PartneringDecider.decide(.resolveConflict(linkId, choices: [:]), state: state, context: context([economicNow]))
        }
        #expect(throws: PartneringDecider.Error.noOpenConflict(linkId, field: "zip")) {
            try PartneringDecider.decide(.resolveConflict(linkId, choices: ["zip": .source]), state: state, context: context([economicNow]))
        }
        #expect(throws: PartneringDecider.Error.invalidChoice(linkId, field: "name", problem: .requiredFieldMissing(field: "name"))) {
            try PartneringDecider.decide(.resolveConflict(linkId, choices: ["name": .value("")]), state: state, context: context([economicNow]))
        }
        #expect(throws: PartneringDecider.Error.invalidChoice(linkId, field: "name", problem: .valueTooLong(field: "name", length: 300, limit: 255)))
        {
            try PartneringDecider.decide(
                .resolveConflict(linkId, choices: ["name": .value(String(repeating: "x", count: 300))]), state: state, context: context([economicNow])
            )
        }
        let unknown = LinkID(Fixtures.uuid(5))
        #expect(throws: PartneringDecider.Error.unknownLink(unknown)) {
            try PartneringDecider.decide(.resolveConflict(unknown, choices: ["city": .source]), state: state, context: context([economicNow]))
        }
        #expect(throws: PartneringDecider.Error.unknownCustomer(e1042)) {
            try PartneringDecider.decide(.resolveConflict(linkId, choices: ["city": .source]), state: state, context: context([]))
        }
    }

    @Test func errorDescriptionsNameWhatIsWrong() {
        #expect(
            PartneringDecider.Error.alreadyPartnered(jane, partner: e1042).description
                == "Customer stripe:cus_jane is already partnered with economic:1042; unlink them first.")
        #expect(PartneringDecider.Error.customerNumberTaken(5001).description.contains("5001"))
    }
}
