import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Projections
import Synchronization
import MetricsTestKit
import Testing

@Suite("rebuild requests: claims are leases", .timeLimit(.minutes(5)))
struct RebuildRequestLeaseTests {
    @Test("a request whose claimer died is taken over once its lease has run out; a live claim is left alone")
    func deadClaimerIsTakenOver() async throws {
        try await withProjectionStore { store, database, acme, _ in
            let metrics = TestMetrics()
            let service = RebuildRequestService(
                projectors: AccordProjections.all, store: store, lease: .seconds(60), metrics: RebuildMetrics(factory: metrics), logger: database.logger)
            // Claimed by another process a minute ago, its lease still running (it renews while it works).
            let live = try await Self.request(store, tenant: acme, startedSecondsAgo: 60, leaseLeft: 30)
            #expect(try await service.runNext() == false, "a live claim is not taken over")
            #expect(try await Self.finished(store, live) == false)

            // The claimer died: it renews no more, and the lease runs out long before the old 30 minutes.
            try await store.pool.withTransaction(scope: .system) { connection in
                try await connection.execute("UPDATE projection_rebuild_requests SET lease_until = now() - interval '1 second' WHERE id = \(live)")
            }
            #expect(try await service.runNext(), "the request is taken over")
            #expect(try await Self.finished(store, live))
            #expect(try await service.runNext() == false)
            let projection = "match_index"
            let rebuilt = try metrics.expectCounter("accord_rebuilds_total", [("projection", projection), ("result", "finished")])
            #expect(rebuilt.totalValue == 1, "the rebuild is counted once, as finished")
            #expect(try metrics.expectTimer("accord_rebuild_duration_seconds", [("projection", projection)]).values.count == 1)
            #expect(try metrics.expectMeter("accord_rebuilds_running").values.last == 0)
        }
    }

    @Test("while a rebuild runs, its lease is renewed; when its process stops, renewals stop")
    func leaseIsRenewedWhileWorking() async throws {
        try await withProjectionStore { store, database, acme, globex in
            _ = try await appendRandomHistories(seed: 31, store: store, tenants: [acme, globex], customers: 20, steps: 60)
            // The rebuild stalls at its first event for as long as the test lets it run. Events that another test's open
            // transaction still hides (the read watermark is cluster-wide) are not read yet: while a rebuild finishes
            // without getting to one, it is asked for again.
            let counting = CountingProjector(stallAfter: 1)
            let service = RebuildRequestService(projectors: [counting], store: store, lease: .milliseconds(300), logger: database.logger)
            var id: Int64 = 0
            var working: Task<Bool, any Error>
            repeat {
                id = try await store.pool.withTransaction(scope: .system) { connection in
                    try await connection.query(
                        "INSERT INTO projection_rebuild_requests (projection, reason) VALUES ('counting', 'lease test') RETURNING id"
                    ).singleValue(Int64.self)!
                }
                let finished = Mutex(false)
                working = Task {
                    defer { finished.withLock { $0 = true } }
                    return try await service.runNext()
                }
                while !counting.isStalled, !finished.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
                if !counting.isStalled { _ = try await working.value }
            } while !counting.isStalled
            var leases: Set<String> = []
            while leases.count < 3 {
                if let lease = try await Self.lease(store, id) { leases.insert(lease) }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await Self.finished(store, id) == false)
            // The process stops: no renewal after that, so another process may take the request over.
            working.cancel()
            _ = await working.result
            let last = try await Self.lease(store, id)
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await Self.lease(store, id) == last, "nothing renews a lease once its process stopped")
        }
    }

    static func request(_ store: EventStore, tenant: TenantID?, startedSecondsAgo: Int?, leaseLeft: Int?) async throws -> Int64 {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                INSERT INTO projection_rebuild_requests (projection, tenant_id, reason, started_at, lease_until)
                VALUES ('match_index', \(tenant?.rawValue), 'lease test',
                        now() - make_interval(secs => \(startedSecondsAgo.map(Double.init))), now() + make_interval(secs => \(leaseLeft.map(Double.init))))
                RETURNING id
                """
            ).singleValue(Int64.self)!
        }
    }

    static func finished(_ store: EventStore, _ id: Int64) async throws -> Bool {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT finished_at IS NOT NULL FROM projection_rebuild_requests WHERE id = \(id)").singleValue(Bool.self)!
        }
    }

    static func lease(_ store: EventStore, _ id: Int64) async throws -> String? {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT lease_until::text FROM projection_rebuild_requests WHERE id = \(id) AND finished_at IS NULL")
                .singleValue(String.self)
        }
    }
}
