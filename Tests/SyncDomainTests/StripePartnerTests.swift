import Foundation
import SyncDomain
import Testing

/// An e-conomic customer's partner created in Stripe: the request, the pair made on the worker's success or on the new
/// customer's own observation (whichever comes first), and the reservation that keeps every other path from pairing
/// or copying the customer meanwhile.
@Suite struct StripePartnerTests {
    let e1042 = Fixtures.economic1042
    let created = CustomerRef.stripe("cus_created")

    func world(_ change: (inout TenantSettings) -> Void = { _ in }) -> World {
        var world = World()
        change(&world.settings)
        world.customers[e1042] = CustomerState(customer: e1042, fields: Fixtures.economicJaneFields, exists: true)
        return world
    }

    /// Requests the Stripe partner of e-conomic 1042 in `w` and returns the request.
    func request(in w: inout World) throws -> StripeWriteRequested {
        let events = try PartneringDecider.decide(
            .createStripePartner(e1042), state: w.partnering,
            context: PartneringContext(commandId: Fixtures.uuid(77), settings: w.settings, customers: [CustomerFacts(w.customers[e1042]!)!]))
        w.apply(events)
        return try #require(Fixtures.payloads(events, StripeWriteRequested.self).first)
    }

    /// What Stripe holds for the customer the request made (its fields as sent, as a webhook would bring them).
    func stripeFields(of write: StripeWriteRequested) -> [String: String] {
        guard case .create(let fields) = write.kind else { return [:] }
        return fields
    }

    @Test("the request carries the mapped fields, the e-conomic number under the write-back key and the request id")
    func requestCarriesFieldsNumberAndMarker() throws {
        var w = world { $0.numbering = .economicAssigns(writeBackMetadataKey: "economic_number") }
        let write = try request(in: &w)
        let fields = stripeFields(of: write)
        #expect(write.customerId.isEmpty && write.reason == .createPartner && write.linkId == nil && write.source == e1042)
        #expect(fields["name"] == "Jane Doe ApS" && fields["email"] == "jane@example.com" && fields["address.city"] == "Copenhagen")
        #expect(fields["address.country"] == "DK", "countries go to Stripe as ISO codes")
        #expect(fields["metadata.economic_number"] == "1042")
        #expect(fields["metadata.\(StripeWriteKind.creationKey)"] == write.requestId.description)
        #expect(fields["currency"] == nil && fields["tax_id"] == nil, "only fields a Stripe customer update takes")
        let pending = try #require(w.partnering.pendingCreation(from: e1042))
        #expect(pending.targetSystem == .stripe && pending.requestId == write.requestId)
        #expect(w.partnering.reservedCustomerNumbers.isEmpty, "no e-conomic number is reserved: none is created")
    }

    @Test func refusals() throws {
        var w = world()
        let jane = Fixtures.stripeJane
        let context = PartneringContext(
            commandId: Fixtures.uuid(78), settings: w.settings,
            customers: [CustomerFacts(w.customers[e1042]!)!, CustomerFacts(customer: jane, fields: Fixtures.janeFields)])
        #expect(throws: PartneringDecider.Error.notAnEconomicCustomer(jane)) {
            try PartneringDecider.decide(.createStripePartner(jane), state: w.partnering, context: context)
        }
        let write = try request(in: &w)
        #expect(throws: PartneringDecider.Error.creationPending(e1042, requestId: write.requestId)) {
            try PartneringDecider.decide(.createStripePartner(self.e1042), state: w.partnering, context: context)
        }
        #expect(throws: PartneringDecider.Error.creationPending(e1042, requestId: write.requestId), "the reserved customer cannot be paired by hand") {
            try PartneringDecider.decide(.selectPartner(source: jane, economic: self.e1042), state: w.partnering, context: context)
        }
    }

    @Test("the worker's success pairs them; the customer's own webhook afterwards only synchronises")
    func successFirst() throws {
        var w = world()
        let write = try request(in: &w)
        let decision = SyncPolicy.decide(
            succeeded: OutboundSucceeded(requestId: write.requestId, stripeCustomerId: created.id), causationId: Fixtures.uuid(2000),
            partnering: w.partnering, settings: w.settings, customerFacts: { w.customers[$0].flatMap(CustomerFacts.init) })
        let linked = try #require(Fixtures.payloads(decision.events, PartnerLinked.self).first)
        #expect(linked.source == created && linked.economic == e1042 && linked.origin == .created(requestId: write.requestId))
        #expect(linked.agreed["name"] == "Jane Doe ApS" && linked.agreed["email"] == "jane@example.com")
        w.apply(decision.events)
        #expect(w.partnering.pendingCreations.isEmpty)

        let observed = w.observe(created, stripeFields(of: write))
        #expect(observed.outcome == .synchronized(linked.linkId))
        #expect(Fixtures.payloads(observed.events, EconomicWriteRequested.self).isEmpty, "nothing to write: the pair agrees")
        #expect(Fixtures.payloads(observed.events, ConflictDetected.self).isEmpty)
    }

    @Test("the customer's own webhook first pairs them; the worker's success afterwards finds the pair made")
    func observationFirst() throws {
        var w = world()
        let write = try request(in: &w)
        var fields = stripeFields(of: write)
        fields["phone"] = "+45 99 99 99 99"  // changed in Stripe right after it was made
        let observed = w.observe(created, fields)
        let linked = try #require(Fixtures.payloads(observed.events, PartnerLinked.self).first)
        #expect(linked.source == created && linked.economic == e1042 && linked.origin == .created(requestId: write.requestId))
        #expect(observed.outcome == .partnerCreated(linked.linkId))
        let update = try #require(Fixtures.payloads(observed.events, EconomicWriteRequested.self).first, "the pair is synchronised at once")
        #expect(update.patch.values["telephoneAndFaxNumber"] == "+45 99 99 99 99")
        #expect(w.partnering.link(of: created)?.economic == e1042 && w.partnering.pendingCreations.isEmpty)

        let succeeded = SyncPolicy.decide(
            succeeded: OutboundSucceeded(requestId: write.requestId, stripeCustomerId: created.id), causationId: Fixtures.uuid(2001),
            partnering: w.partnering, settings: w.settings)
        #expect(succeeded.events.isEmpty && succeeded.outcome == .nothingToDo)
    }

    @Test("another Stripe customer matching the reserved e-conomic customer is not paired with it, nor copied to e-conomic")
    func reservedWhilePending() throws {
        var w = world()
        _ = try request(in: &w)
        let stranger = CustomerRef.stripe("cus_stranger")
        let decision = w.observe(stranger, ["name": "Jane Doe", "email": "jane@example.com"])
        guard case .matchFailed(.candidateAlreadyLinked) = decision.outcome else {
            Issue.record("expected a match failure, got \(decision.outcome)")
            return
        }
        #expect(Fixtures.payloads(decision.events, PartnerLinked.self).isEmpty)
        #expect(Fixtures.payloads(decision.events, EconomicWriteRequested.self).isEmpty)
    }

    @Test("a customer whose creation was cancelled is never made an e-conomic customer in turn")
    func cancelledCreationIsNotCopiedBack() throws {
        var w = world()
        let write = try request(in: &w)
        w.apply([.partnerCreationCancelled(PartnerCreationCancelled(requestId: write.requestId, reason: "test"))])
        w.customers[e1042] = nil  // e.g. deleted meanwhile: nothing left to match
        let decision = w.observe(created, stripeFields(of: write))
        #expect(decision.outcome == .leftUnpartnered)
        #expect(decision.events.isEmpty)
    }

    @Test func createKindRoundTrips() throws {
        let write = StripeWriteRequested(
            requestId: RequestID(Fixtures.uuid(5)), customerId: "", kind: .create(["name": "A", "metadata.accord_creation": "x"]),
            source: .economic(7), reason: .createPartner)
        let (type, version, data) = try SyncEvent.stripeWriteRequested(write).encode()
        #expect(try SyncEvent.decode(type: type, schemaVersion: version, data: data) == .stripeWriteRequested(write))
        let succeeded = OutboundSucceeded(requestId: RequestID(Fixtures.uuid(5)), stripeCustomerId: "cus_1")
        let (t2, v2, d2) = try SyncEvent.outboundSucceeded(succeeded).encode()
        #expect(try SyncEvent.decode(type: t2, schemaVersion: v2, data: d2) == .outboundSucceeded(succeeded))
    }
}
