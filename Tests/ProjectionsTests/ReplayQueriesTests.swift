import EventStore
import Foundation
import Projections
import SyncDomain
import Synchronization
import Testing

/// The replay's IO edge over a real PostgreSQL: the tenant's events in log order, page by page, into the pure fold.
@Suite("replay over PostgreSQL", .timeLimit(.minutes(5)))
struct ReplayQueriesTests {
    @Test("pages of the tenant's log fold to what the pure fold gives; at: stops at a past position; another tenant never counts")
    func pagedReplay() async throws {
        try await withProjectionStore { store, _, acme, globex in
            let log = try ReplayFoldTests.mappingBugLog()
            try await append(log.events.map(\.event), tenant: acme, store: store)
            var other = ReplayLog()
            try other.create(.stripe("cus_globex"), fields: ["name": "Globex", "email": "g@example.com", "phone": "+45 99"], as: 9)
            try await append(other.events.map(\.event), tenant: globex, store: store)
            let queries = ReplayQueries(store: store)
            // Other tests' open transactions hold the cluster-wide watermark back: wait until every event is readable.
            let recorded = try await readable(log.events.count, tenant: acme, store: store)

            let progress = Mutex<[ReplayQueries.Progress]>([])
            let fold = try await queries.fold(tenant: acme, proposal: .default, pageSize: 4) { step in progress.withLock { $0.append(step) } }
            let report = fold.report()
            let expected = log.fold(.default).report()
            #expect(fold.events == log.events.count)
            #expect(report.summary == expected.summary)
            #expect(report.customers.map(\.customer) == expected.customers.map(\.customer))
            #expect(report.customers.map(\.differences) == expected.customers.map(\.differences))
            let steps = progress.withLock { $0 }
            #expect(steps.count == log.events.count / 4 + 1, "one progress report per page")
            #expect(steps.last?.read == log.events.count && steps.allSatisfy { $0.total == log.events.count })

            let cut = recorded[9]
            let then = try await queries.fold(tenant: acme, proposal: .default, at: cut.globalPosition, pageSize: 4)
            #expect(then.events == 10 && then.position == cut.globalPosition)
            #expect(then.report().summary == log.fold(.default, upTo: 10).report().summary)

            let foreign = try #require(try await readable(1, tenant: globex, store: store).first)
            let error = await #expect(throws: ReplayError.self) {
                try await queries.fold(tenant: acme, proposal: .default, at: foreign.globalPosition)
            }
            #expect(error?.code == .unknownPosition)
        }
    }

    /// The tenant's first `count` events, once the watermark lets them all be read (at most a minute).
    private func readable(_ count: Int, tenant: TenantID, store: EventStore) async throws -> [RecordedEvent] {
        var recorded: [RecordedEvent] = []
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while recorded.count < count, ContinuousClock.now < deadline {
            recorded = try await store.readForward(after: .origin, limit: 1000, tenant: tenant)
            if recorded.count < count { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(recorded.count >= count)
        return recorded
    }
}
