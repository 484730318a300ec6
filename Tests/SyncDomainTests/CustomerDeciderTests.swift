import Foundation
import SyncDomain
import Testing

@Suite struct CustomerDeciderTests {
    let jane = Fixtures.stripeJane

    func observed(_ fields: [String: String], at offset: TimeInterval? = 0, eventId: String? = nil) -> CustomerObserved {
        CustomerObserved(customer: jane, fields: fields, sourceEventId: eventId, sourceUpdatedAt: offset.map { Fixtures.date.addingTimeInterval($0) })
    }

    func given(_ events: [SyncEvent]) -> CustomerState { CustomerDecider.fold(events) }

    @Test func firstObservationIsRecordedWithoutBlankValues() throws {
        let events = try CustomerDecider.decide(.observe(observed(["name": "Jane", "phone": " "])), state: .initial)
        #expect(events == [.customerObserved(observed(["name": "Jane"]))])
        let state = given(events)
        #expect(state.exists && state.fields == ["name": "Jane"] && state.customer == jane)
    }

    @Test func identicalObservationAppendsNothing() throws {
        let state = given([.customerObserved(observed(["name": "Jane"], at: 0))])
        #expect(try CustomerDecider.decide(.observe(observed(["name": "Jane", "email": ""], at: 60)), state: state) == [])
    }

    @Test func changedObservationIsRecorded() throws {
        let state = given([.customerObserved(observed(["name": "Jane"], at: 0))])
        let events = try CustomerDecider.decide(.observe(observed(["name": "Jane Doe"], at: 60)), state: state)
        #expect(events.count == 1)
        #expect(given([.customerObserved(observed(["name": "Jane"], at: 0))] + events).fields == ["name": "Jane Doe"])
    }

    @Test func olderObservationDoesNotOverwriteNewerData() throws {
        let state = given([.customerObserved(observed(["name": "Jane Doe"], at: 60))])
        #expect(try CustomerDecider.decide(.observe(observed(["name": "Jane"], at: 0)), state: state) == [])
        // Equal timestamps: the later delivery wins.
        #expect(try CustomerDecider.decide(.observe(observed(["name": "Jane D."], at: 60)), state: state).count == 1)
    }

    @Test("a customer first seen through its creation is recorded as created, then as it is now")
    func firstSightThroughCreation() throws {
        let now = observed(["name": "Jane", "email": "jane.new@example.com"], at: 5, eventId: "evt_1")
        let events = try CustomerDecider.decide(
            .observeCreated(created: ["name": "Jane", "email": "jane@example.com"], current: now), state: .initial)
        #expect(events == [.customerObserved(observed(["name": "Jane", "email": "jane@example.com"], at: 5)), .customerObserved(now)])
        #expect(given(events).fields == now.fields && given(events).lastSourceEventId == "evt_1")
        // The same delivery again records nothing.
        #expect(try CustomerDecider.decide(.observeCreated(created: ["name": "Jane"], current: now), state: given(events)) == [])
    }

    @Test("the creation's copy counts only for a first sight, and only when it says something else")
    func creationCopyOnlyForFirstSight() throws {
        let now = observed(["name": "Jane Doe"], at: 5, eventId: "evt_2")
        let known = given([.customerObserved(observed(["name": "Jane"], at: 0))])
        #expect(try CustomerDecider.decide(.observeCreated(created: ["name": "Jane"], current: now), state: known) == [.customerObserved(now)])
        #expect(try CustomerDecider.decide(.observeCreated(created: ["name": "Jane Doe"], current: now), state: .initial) == [.customerObserved(now)])
        #expect(try CustomerDecider.decide(.observeCreated(created: ["name": " "], current: now), state: .initial) == [.customerObserved(now)])
    }

    @Test func repeatedSourceEventIsIgnored() throws {
        let state = given([.customerObserved(observed(["name": "Jane"], at: nil, eventId: "evt_1"))])
        #expect(try CustomerDecider.decide(.observe(observed(["name": "Other"], at: nil, eventId: "evt_1")), state: state) == [])
    }

    @Test func deletionAndRevival() throws {
        let state = given([.customerObserved(observed(["name": "Jane"], at: 0))])
        let deleted = try CustomerDecider.decide(
            .delete(CustomerDeleted(customer: jane, sourceUpdatedAt: Fixtures.date.addingTimeInterval(10))), state: state)
        #expect(deleted.count == 1)
        let afterDelete = CustomerDecider.evolve(state, deleted[0])
        #expect(afterDelete.isDeleted)
        #expect(try CustomerDecider.decide(.delete(CustomerDeleted(customer: jane)), state: afterDelete) == [])
        // An older observation does not revive it; a newer one does (e.g. a row added back to a file).
        #expect(try CustomerDecider.decide(.observe(observed(["name": "Jane"], at: 5)), state: afterDelete) == [])
        let revived = try CustomerDecider.decide(.observe(observed(["name": "Jane"], at: 20)), state: afterDelete)
        #expect(!CustomerDecider.evolve(afterDelete, revived[0]).isDeleted)
    }

    @Test func deletingAnUnknownCustomerRecordsNothing() throws {
        #expect(try CustomerDecider.decide(.delete(CustomerDeleted(customer: jane)), state: .initial) == [])
    }

    @Test func excludeAndUndo() throws {
        let state = given([.customerObserved(observed(["name": "Jane"]))])
        let excluded = try CustomerDecider.decide(.exclude(jane), state: state)
        #expect(excluded == [.customerExcluded(CustomerExcluded(customer: jane))])
        let afterExclude = CustomerDecider.evolve(state, excluded[0])
        #expect(afterExclude.isExcluded)
        #expect(throws: CustomerDecider.Error.alreadyExcluded(jane)) { try CustomerDecider.decide(.exclude(jane), state: afterExclude) }
        let included = try CustomerDecider.decide(.include(jane), state: afterExclude)
        #expect(included == [.customerIncluded(CustomerIncluded(customer: jane))])
        let afterInclude = CustomerDecider.evolve(afterExclude, included[0])
        #expect(!afterInclude.isExcluded)
        #expect(throws: CustomerDecider.Error.notExcluded(jane)) { try CustomerDecider.decide(.include(jane), state: afterInclude) }
    }

    @Test func excludingAnUnknownCustomerIsAnError() {
        #expect(throws: CustomerDecider.Error.unknownCustomer(jane)) { try CustomerDecider.decide(.exclude(jane), state: .initial) }
        #expect(throws: CustomerDecider.Error.unknownCustomer(jane)) { try CustomerDecider.decide(.include(jane), state: .initial) }
        #expect(CustomerDecider.Error.unknownCustomer(jane).description.contains("stripe:cus_jane"))
    }

    @Test func matchFailureIsRecordedOncePerObservation() throws {
        let failure = MatchFailure.matchFieldMissing(field: "email")
        let state = given([.customerObserved(observed(["name": "Jane"]))])
        let first = try CustomerDecider.decide(.recordMatchFailure(jane, failure), state: state)
        #expect(first == [.matchFailed(MatchFailed(customer: jane, reason: failure))])
        let afterFailure = CustomerDecider.evolve(state, first[0])
        #expect(try CustomerDecider.decide(.recordMatchFailure(jane, failure), state: afterFailure) == [])
        // A new observation clears it: the next failure is recorded again.
        let reobserved = CustomerDecider.evolve(afterFailure, .customerObserved(observed(["name": "Jane 2"])))
        #expect(reobserved.lastMatchFailure == nil)
        #expect(try CustomerDecider.decide(.recordMatchFailure(jane, failure), state: reobserved).count == 1)
        #expect(throws: CustomerDecider.Error.unknownCustomer(jane)) {
            try CustomerDecider.decide(.recordMatchFailure(jane, failure), state: .initial)
        }
    }
}
