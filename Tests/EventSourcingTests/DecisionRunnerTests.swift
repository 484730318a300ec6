import EventSourcing
import EventStore
import PGClient
import PostgresTestSupport
import SyncDomain
import Synchronization
import Testing

@Suite("the decision runner against PostgreSQL", .timeLimit(.minutes(5)))
struct DecisionRunnerTests {
    @Test("a decision's events go to their home streams in one append, each stream at the version it was based on")
    func appendsToHomeStreams() async throws {
        try await withStore { store, acme, _ in
            try await observe(anna, "Anna", tenant: acme, store: store)
            let runner = DecisionRunner(store: store)
            let outcome = try await runner.run(tenant: acme) { _ in
                let folded = try await store.fold(CustomerDecider.self, .customer(anna), of: acme)
                let events: [SyncEvent] = [
                    .customerExcluded(CustomerExcluded(customer: anna)),
                    .customerObserved(CustomerObserved(customer: bob, fields: ["name": "Bob"])),
                    .customerIncluded(CustomerIncluded(customer: anna)),
                ]
                return try Decision(events, basedOn: [.customer(anna): folded.version], metadata: user, output: folded.version)
            }
            #expect(outcome.output == 1)
            #expect(outcome.conflicts == 0)
            #expect(outcome.events.count == 3)
            let annas = try await store.readStream(try StreamID(StreamName.customer(anna).rawValue), of: acme)
            let bobs = try await store.readStream(try StreamID(StreamName.customer(bob).rawValue), of: acme)
            #expect(annas.map(\.type) == ["CustomerObserved", "CustomerExcluded", "CustomerIncluded"])
            #expect(bobs.map(\.type) == ["CustomerObserved"])
            #expect(outcome.positions == [annas[1].globalPosition, bobs[0].globalPosition, annas[2].globalPosition], "positions in decision order")
            #expect(try annas[1].decodedMetadata().actor == "user:test")
        }
    }

    @Test("a concurrent change makes it reload and decide again, on the new state")
    func conflictDecidesAgain() async throws {
        try await withStore { store, acme, _ in
            try await observe(anna, "Anna", tenant: acme, store: store)
            let seen = Mutex<[Int64]>([])
            let outcome = try await DecisionRunner(store: store).run(tenant: acme) { attempt in
                let folded = try await store.fold(CustomerDecider.self, .customer(anna), of: acme)
                seen.withLock { $0.append(folded.version) }
                // Another writer changes the customer after the first decision read it.
                if attempt == 1 { try await observe(anna, "Anna Changed", tenant: acme, store: store) }
                let events = try CustomerDecider.decide(.exclude(anna), state: folded.state)
                return try Decision(events, basedOn: [.customer(anna): folded.version], metadata: user, output: folded.state.fields["name"])
            }
            #expect(seen.withLock { $0 } == [1, 2], "the second attempt read the stream again")
            #expect(outcome.conflicts == 1)
            #expect(outcome.output == "Anna Changed", "the appended decision was made on the new state")
            let stored = try await events(of: .customer(anna), tenant: acme, store: store)
            #expect(stored.count == 3)
            #expect(stored.last == .customerExcluded(CustomerExcluded(customer: anna)))
        }
    }

    @Test("when contention does not end, it gives up with a typed error and appends nothing of the decision")
    func contentionGivesUp() async throws {
        try await withStore { store, acme, _ in
            try await observe(anna, "Anna", tenant: acme, store: store)
            var backoff = RetryPolicy.concurrencyConflicts
            backoff.maxAttempts = 3
            let attempts = Mutex(0)
            let error = await #expect(throws: ContentionError.self) {
                try await DecisionRunner(store: store, backoff: backoff).run(tenant: acme) { attempt in
                    attempts.withLock { $0 = attempt }
                    let folded = try await store.fold(CustomerDecider.self, .customer(anna), of: acme)
                    try await observe(anna, "Anna \(attempt)", tenant: acme, store: store)  // always one step ahead
                    return try Decision(
                        try CustomerDecider.decide(.exclude(anna), state: folded.state), basedOn: [.customer(anna): folded.version], metadata: user)
                }
            }
            #expect(attempts.withLock { $0 } == 3)
            #expect(error?.attempts == 3)
            #expect(error?.tenant == acme)
            #expect(error?.stream?.rawValue == StreamName.customer(anna).rawValue)
            #expect(error?.conflict.code == .concurrencyConflict)
            let stored = try await events(of: .customer(anna), tenant: acme, store: store)
            #expect(stored.count == 4, "the first observation and the other writer's three")
            #expect(!stored.contains(.customerExcluded(CustomerExcluded(customer: anna))))
        }
    }

    @Test("a decision without events appends nothing and returns its output")
    func nothingToAppend() async throws {
        try await withStore { store, acme, _ in
            let outcome = try await DecisionRunner(store: store).run(tenant: acme) { _ in Decision(output: "unchanged") }
            #expect(outcome.output == "unchanged")
            #expect(outcome.events.isEmpty && outcome.positions.isEmpty && outcome.conflicts == 0)
            #expect(try await store.readForward(after: .origin, limit: 10).isEmpty)
        }
    }

    @Test("one stream, one decider: folded, decided, appended, and returned as folded after the append; a refusal appends nothing")
    func singleStream() async throws {
        try await withStore { store, acme, _ in
            try await observe(anna, "Anna", tenant: acme, store: store)
            let runner = DecisionRunner(store: store)
            let outcome = try await runner.decide(
                CustomerDecider.self, .exclude(anna), context: (), on: .customer(anna), tenant: acme, metadata: user)
            #expect(outcome.events == [.customerExcluded(CustomerExcluded(customer: anna))])
            #expect(outcome.output.state.isExcluded)
            #expect(outcome.output.version == 2)
            #expect(outcome.output.lastPosition == outcome.positions.last)
            #expect(try await store.fold(CustomerDecider.self, .customer(anna), of: acme) == outcome.output)

            await #expect(throws: CustomerDecider.Error.alreadyExcluded(anna)) {
                try await runner.decide(CustomerDecider.self, .exclude(anna), context: (), on: .customer(anna), tenant: acme, metadata: user)
            }
            #expect(try await events(of: .customer(anna), tenant: acme, store: store).count == 2)
        }
    }

    @Test("several streams fold in one read, each from its own initial state; an unreadable event names its stream and position")
    func foldSeveral() async throws {
        try await withStore { store, acme, _ in
            try await observe(anna, "Anna", tenant: acme, store: store)
            try await observe(anna, "Anna B", tenant: acme, store: store)
            let initials = [StreamName.customer(anna): CustomerState(customer: anna), .customer(bob): CustomerState(customer: bob)]
            let folded = try await store.pool.withTransaction(scope: .tenant(acme)) { connection in
                try await store.fold(CustomerDecider.self, initials, of: acme, on: connection)
            }
            #expect(folded[.customer(anna)]?.state.fields == ["name": "Anna B"])
            #expect(folded[.customer(anna)]?.version == 2)
            #expect(folded[.customer(bob)] == FoldedStream(state: CustomerState(customer: bob), version: 0, lastPosition: 0))

            let stream = try StreamID(StreamName.customer(bob).rawValue)
            let bad = try await store.append(
                [NewEvent(type: "CustomerObserved", data: PGJSON(text: "{}"))], to: stream, of: acme, expecting: .noStream)
            let error = await #expect(throws: UnreadableEvent.self) { try await store.fold(CustomerDecider.self, .customer(bob), of: acme) }
            #expect(error?.stream == stream)
            #expect(error?.position == bad.globalPositions.first)
            #expect(error?.streamVersion == 1)
        }
    }
}
