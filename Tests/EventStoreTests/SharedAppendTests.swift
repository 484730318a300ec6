import Foundation
import PGClient
import PostgresTestSupport
import Testing

@testable import EventStore

/// Shared commits against PostgreSQL: one transaction of several appends, in which each succeeds or fails alone.
@Suite("shared commits", .timeLimit(.minutes(5)))
struct SharedAppendTests {
    @Test("in one shared transaction a stale version, or a stale stream of a multi-stream append, fails alone")
    func oneTransaction() async throws {
        try await withStore { store, _, _, acme, globex in
            try await store.append([event("A1")], to: "a", of: acme, expecting: .noStream)
            try await store.append([event("G1")], to: "g", of: globex, expecting: .noStream)
            try await store.append([event("D1")], to: "d", of: acme, expecting: .noStream)
            let units: [AppendUnit] = [
                .init(tenant: acme, appends: [StreamAppend(stream: "a", expecting: .exactly(1), events: [event("A2"), event("A3")])]),
                .init(tenant: acme, appends: [StreamAppend(stream: "b", expecting: .exactly(4), events: [event("stale")])]),
                .init(
                    tenant: globex,
                    appends: [
                        StreamAppend(stream: "g", expecting: .exactly(1), events: [event("G2")]),
                        StreamAppend(stream: "new", expecting: .noStream, events: [event("N1")]),
                    ]),
                // All or nothing: "other" is fine, "g" is stale, so neither is written.
                .init(
                    tenant: globex,
                    appends: [
                        StreamAppend(stream: "other", expecting: .noStream, events: [event("O1")]),
                        StreamAppend(stream: "g", expecting: .exactly(7), events: [event("X")]),
                    ]),
                .init(
                    tenant: acme,
                    appends: [
                        StreamAppend(stream: "c", expecting: .noStream, events: [event("C1")]),
                        StreamAppend(stream: "d", expecting: .exactly(1), events: []),
                    ]),
            ]
            let results = await store.runShared(units)
            #expect(results.count == units.count)

            let first = try results[0].get()
            #expect(first.map(\.streamVersion) == [3])
            #expect(first[0].globalPositions.count == 2)
            let stale = try #require(Self.error(results[1]))
            #expect(stale.code == .concurrencyConflict)
            #expect(stale.stream == "b")
            #expect(stale.expectedVersion == .exactly(4))
            #expect(stale.actualVersion == 0)
            #expect(try results[2].get().map(\.streamVersion) == [2, 1])
            let multi = try #require(Self.error(results[3]))
            #expect(multi.code == .concurrencyConflict)
            #expect(multi.stream == "g")
            #expect(multi.expectedVersion == .exactly(7))
            #expect(multi.actualVersion == 1)
            let last = try results[4].get()
            #expect(last.map(\.streamVersion) == [1, 1])
            #expect(last[1].globalPositions.isEmpty)

            #expect(try await store.readStream("a", of: acme).map(\.type) == ["A1", "A2", "A3"])
            #expect(try await store.readStream("g", of: globex).map(\.type) == ["G1", "G2"])
            #expect(try await store.readStream("other", of: globex).isEmpty)
            #expect(try await store.readStream("b", of: acme).isEmpty)
            // Every committed append shares one transaction: one commit.
            let committed = try await readForward(store, atLeast: 8).filter { !["A1", "G1", "D1"].contains($0.type) }
            #expect(committed.map(\.type).sorted() == ["A2", "A3", "C1", "G2", "N1"])
            #expect(Set(committed.map(\.transactionID)).count == 1)
            // Each append wrote into its own tenant only.
            #expect(committed.filter { $0.tenant == acme }.map(\.type).sorted() == ["A2", "A3", "C1"])
            #expect(try await store.readStream("new", of: acme).isEmpty)
            #expect(try await store.readStream("c", of: globex).isEmpty)
        }
    }

    @Test("what fails a shared transaction as a whole (an unknown tenant, a race) is tried again append by append")
    func fallbackAlone() async throws {
        try await withStore { store, _, _, acme, globex in
            try await store.append([event("A1")], to: "a", of: acme, expecting: .noStream)
            let units: [AppendUnit] = [
                .init(tenant: acme, appends: [StreamAppend(stream: "a", expecting: .exactly(1), events: [event("A2")])]),
                .init(tenant: try TenantID("nobody"), appends: [StreamAppend(stream: "z", expecting: .noStream, events: [event("Z")])]),
                .init(tenant: globex, appends: [StreamAppend(stream: "g", expecting: .noStream, events: [event("G1")])]),
                // Same stream, same expected version as the first: both pass the check, the unique key refuses one.
                .init(tenant: acme, appends: [StreamAppend(stream: "a", expecting: .exactly(1), events: [event("A2'")])]),
            ]
            let results = await store.runShared(units)
            #expect(try results[0].get().map(\.streamVersion) == [2])
            #expect(try #require(Self.error(results[1])).code == .unknownTenant)
            #expect(try results[2].get().map(\.streamVersion) == [1])
            let race = try #require(Self.error(results[3]))
            #expect(race.code == .concurrencyConflict)
            #expect(race.stream == "a")
            #expect(try await store.readStream("a", of: acme).map(\.type) == ["A1", "A2"])
            #expect(try await store.readStream("g", of: globex).map(\.type) == ["G1"])
        }
    }

    @Test("many concurrent appenders of two tenants, some stale: exactly the stale ones fail, the rest commit once, in order")
    func manyConcurrentAppenders() async throws {
        let streams = 6
        let appendsPerWriter = 15
        try await withStore(maxConnections: 4) { store, _, _, acme, globex in
            let tenants = [acme, globex]
            for tenant in tenants {
                for stream in 0..<streams {
                    try await store.append([event("Seed")], to: try StreamID("s\(stream)"), of: tenant, expecting: .noStream)
                }
            }
            // One writer per (tenant, stream) appends in order with exact versions; stale writers aim at the same
            // streams with versions that can never be current (a stream never reaches 1,000 here) or `noStream`.
            let outcomes = try await withThrowingTaskGroup(of: (stale: Bool, failures: [EventStoreError]).self) { group in
                for (tenantIndex, tenant) in tenants.enumerated() {
                    for stream in 0..<streams {
                        group.addTask {
                            var version: Int64 = 1
                            var failures: [EventStoreError] = []
                            for index in 0..<appendsPerWriter {
                                do {
                                    version = try await store.append(
                                        [event("W", tenantIndex * 1000 + index)], to: try StreamID("s\(stream)"), of: tenant,
                                        expecting: .exactly(version)
                                    ).streamVersion
                                } catch let error as EventStoreError {
                                    failures.append(error)
                                }
                            }
                            return (false, failures)
                        }
                        group.addTask {
                            var failures: [EventStoreError] = []
                            for index in 0..<5 {
                                do {
                                    try await store.append(
                                        [event("Stale", index)], to: try StreamID("s\(stream)"), of: tenant,
                                        expecting: index.isMultiple(of: 2) ? .noStream : .exactly(1000 + Int64(index)))
                                } catch let error as EventStoreError {
                                    failures.append(error)
                                }
                            }
                            return (true, failures)
                        }
                    }
                }
                var outcomes: [(stale: Bool, failures: [EventStoreError])] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            #expect(outcomes.filter { !$0.stale }.allSatisfy { $0.failures.isEmpty })
            let staleFailures = outcomes.filter(\.stale).flatMap(\.failures)
            #expect(staleFailures.count == tenants.count * streams * 5)
            #expect(staleFailures.allSatisfy { $0.code == .concurrencyConflict })
            for (tenantIndex, tenant) in tenants.enumerated() {
                for stream in 0..<streams {
                    let events = try await store.readStream(try StreamID("s\(stream)"), of: tenant)
                    #expect(events.map(\.streamVersion) == Array(1...Int64(appendsPerWriter + 1)))
                    #expect(events.dropFirst().map(\.type).allSatisfy { $0 == "W" })
                    let values = try events.dropFirst().map { try $0.data.decode([String: Int].self)["value"] }
                    #expect(values == (0..<appendsPerWriter).map { tenantIndex * 1000 + $0 })
                    #expect(events.allSatisfy { $0.tenant == tenant })
                }
            }
        }
    }

    static func error(_ result: Result<[AppendResult], any Error>) -> EventStoreError? {
        guard case .failure(let error) = result else { return nil }
        return error as? EventStoreError
    }
}
