import Foundation
import SyncDomain
import Testing

/// Hole 1 of issue 9 (updates overwrote edits made on the target) and its pieces: the per-field send rule, plans,
/// superseding, and the decoding of write events stored before bases existed.
@Suite struct FieldPatchTests {
    let name = FieldWrite(value: "Jane Stripe", base: "Jane Doe ApS", kind: .text)

    // MARK: The per-field send rule

    @Test func targetAtItsBaseIsWritten() {
        #expect(name.decide(live: "Jane Doe ApS") == .write)
        #expect(name.decide(live: "  Jane   Doe ApS ") == .write, "a re-spelled base is still the base")
    }

    @Test func targetAlreadyAtTheNewValueNeedsNothing() {
        #expect(name.decide(live: "Jane Stripe") == .alreadyThere)
        #expect(name.decide(live: "Jane  Stripe ") == .alreadyThere)
    }

    @Test func targetThatMovedIsNeverOverwritten() {
        #expect(name.decide(live: "Jane Accountant") == .targetMoved)
        #expect(name.decide(live: nil) == .targetMoved, "emptied on the target since Accord looked: a move too")
        let email = FieldWrite(value: "new@example.com", base: "Jane@Example.com", kind: .email)
        #expect(email.decide(live: "jane@example.com") == .write, "equivalence is the field kind's")
        #expect(email.decide(live: "other@example.com") == .targetMoved)
    }

    @Test func clearIsAWriteOfTheEmptyValue() {
        let clear = FieldWrite(value: "", base: "+45 12 34 56 78", kind: .phone)
        #expect(clear.clears)
        #expect(clear.decide(live: "+4512345678") == .write)
        #expect(clear.decide(live: nil) == .alreadyThere && clear.decide(live: "  ") == .alreadyThere)
        #expect(clear.decide(live: "+45 99 99 99 99") == .targetMoved)
        let fill = FieldWrite(value: "+45 12 34 56 78", base: "", kind: .phone)
        #expect(fill.decide(live: nil) == .write && fill.decide(live: "+45 11") == .targetMoved)
    }

    @Test func writeWithoutBaseIsLaidOverAsBefore() {
        let unchecked = FieldWrite(value: "Jane Stripe", base: nil, kind: .text)
        #expect(unchecked.decide(live: "Anything") == .write)
        #expect(unchecked.decide(live: "Jane Stripe") == .alreadyThere)
    }

    @Test func planSortsEveryFieldOfThePatch() {
        let patch = FieldPatch([
            "name": name, "zip": FieldWrite(value: "8000", base: "1000", kind: .text),
            "city": FieldWrite(value: "Aarhus", base: "Copenhagen", kind: .text),
            "telephoneAndFaxNumber": FieldWrite(value: "", base: "+45 1", kind: .phone),
        ])
        let plan = patch.plan(live: ["name": "Jane Accountant", "zip": "1000", "city": "Aarhus", "telephoneAndFaxNumber": "+45 1", "website": "x"])
        #expect(plan.writes == ["zip": "8000", "telephoneAndFaxNumber": ""])
        #expect(plan.alreadyThere == ["city": "Aarhus"])
        #expect(plan.targetMoved == ["name": "Jane Accountant"])
        #expect(!plan.sendsNothing)
        #expect(FieldPatch(["city": patch.fields["city"]!]).plan(live: ["city": "Aarhus"]).sendsNothing)
    }

    // MARK: Per-link order

    @Test func newerPatchCarriesTheOlderForward() {
        let older = FieldPatch([
            "city": FieldWrite(value: "Aarhus", base: "Vejle", kind: .text), "zip": FieldWrite(value: "8000", base: "7100", kind: .text),
        ])
        let newer = FieldPatch(["city": FieldWrite(value: "Odense", base: "Vejle", kind: .text)])
        let merged = newer.superseding(older)
        #expect(merged.values == ["city": "Odense", "zip": "8000"])
        #expect(merged.fields["city"]?.base == "Vejle" && merged.fields["city"]?.superseded == ["Aarhus"])
        #expect(merged.fields["zip"] == older.fields["zip"])
        // The older value may have landed: Accord's own, not a move. Anything else is someone's edit.
        #expect(merged.fields["city"]?.decide(live: "Aarhus") == .write)
        #expect(merged.fields["city"]?.decide(live: "Vejle") == .write)
        #expect(merged.fields["city"]?.decide(live: "Kolding") == .targetMoved)
    }

    // MARK: Events stored before bases existed

    static let request = "00000000-0000-0000-0000-000000000002"
    static let link = "00000000-0000-0000-0000-000000000001"

    @Test func storedSchemaOneUpdateDecodesAsAPatchWithoutBases() throws {
        let json = """
            {"requestId":"\(Self.request)","kind":{"update":{"customerNumber":1042}},"linkId":"\(Self.link)",\
            "source":{"id":"cus_jane","system":"stripe"},"payload":{"name":"Jane","city":"Aarhus","vatZone":"1"},"matchKeys":[],\
            "reason":"sourceChanged"}
            """
        let event = try SyncEvent.decode(type: "EconomicWriteRequested", schemaVersion: 1, data: Data(json.utf8))
        guard case .economicWriteRequested(let write) = event else {
            Issue.record("decoded \(event)")
            return
        }
        #expect(write.kind == .update(customerNumber: 1042) && write.linkId == LinkID(Fixtures.uuid(1)) && write.reason == .sourceChanged)
        #expect(write.payload.isEmpty && write.supersedes.isEmpty)
        #expect(write.patch.values == ["name": "Jane", "city": "Aarhus", "vatZone": "1"])
        #expect(write.patch.fields.values.allSatisfy { $0.base == nil })
        #expect(write.sentValues == ["name": "Jane", "city": "Aarhus", "vatZone": "1"])
        // Sent as it always was: every value laid over whatever the customer holds.
        let plan = write.patch.plan(live: ["name": "Someone Else", "city": "Aarhus", "vatZone": "2", "zip": "1000"])
        #expect(plan.writes == ["name": "Jane", "vatZone": "1"] && plan.alreadyThere == ["city": "Aarhus"] && plan.targetMoved.isEmpty)
        // Re-encoded, it is a schema-2 event that decodes to the same.
        let encoded = try event.encode()
        #expect(encoded.schemaVersion == 2)
        #expect(try SyncEvent.decode(type: encoded.type, schemaVersion: 2, data: encoded.data) == event)
    }

    @Test func storedSchemaOneCreateDecodesUnchanged() throws {
        let json = """
            {"requestId":"\(Self.request)","kind":{"create":{}},"payload":{"name":"Jane","customerNumber":"5001"},\
            "matchKeys":[{"kind":"email","value":"jane@example.com"}],"reason":"autoCreate"}
            """
        let event = try SyncEvent.decode(type: "EconomicWriteRequested", schemaVersion: 1, data: Data(json.utf8))
        guard case .economicWriteRequested(let write) = event else {
            Issue.record("decoded \(event)")
            return
        }
        #expect(write.kind == .create && write.payload == ["name": "Jane", "customerNumber": "5001"] && write.patch.isEmpty)
        #expect(write.matchKeys == [MatchKey(kind: .email, normalizedValue: "jane@example.com")])
    }

    @Test func storedSchemaOneStripeWritesDecode() throws {
        let fields = """
            {"requestId":"\(Self.request)","customerId":"cus_jane","kind":{"fields":{"name":"Jane","address.city":""}},\
            "linkId":"\(Self.link)","reason":"economicChanged"}
            """
        guard case .stripeWriteRequested(let write) = try SyncEvent.decode(type: "StripeWriteRequested", schemaVersion: 1, data: Data(fields.utf8)),
            case .patch(let patch) = write.kind
        else {
            Issue.record("not a Stripe field patch")
            return
        }
        #expect(patch.values == ["name": "Jane", "address.city": ""] && patch.fields.values.allSatisfy { $0.base == nil })
        #expect(patch.plan(live: ["name": "Other", "address.city": "Odense"]).writes == ["name": "Jane", "address.city": ""])
        let metadata = """
            {"requestId":"\(Self.request)","customerId":"cus_jane","kind":{"metadata":{"economic_number":"1042"}},"reason":"customerNumberWriteBack"}
            """
        let decoded = try SyncEvent.decode(type: "StripeWriteRequested", schemaVersion: 1, data: Data(metadata.utf8))
        #expect(
            decoded.payload as? StripeWriteRequested
                == StripeWriteRequested(
                    requestId: RequestID(Fixtures.uuid(2)), customerId: "cus_jane", kind: .metadata(["economic_number": "1042"]),
                    reason: .customerNumberWriteBack))
    }

    @Test func storedSchemaOneSuccessDecodesWithNothingMoved() throws {
        let json = #"{"requestId":"\#(Self.request)","customerNumber":1042,"written":{"name":"Jane"}}"#
        let event = try SyncEvent.decode(type: "OutboundSucceeded", schemaVersion: 1, data: Data(json.utf8))
        #expect(
            event == .outboundSucceeded(OutboundSucceeded(requestId: RequestID(Fixtures.uuid(2)), customerNumber: 1042, written: ["name": "Jane"])))
    }
}
