import EventStore
import PGClient
import PostgresTestSupport
import Testing

@testable import Ingest

@Suite("the inbox's counts", .timeLimit(.minutes(5)))
struct InboxCountsTests {
    @Test("pending and failed deliveries are counted per tenant from their partial indexes, not by reading every delivery kept")
    func countsFromIndexes() async throws {
        try await IngestHarness.run { harness in
            let globex = try await harness.database.addTenant("globex", pool: harness.pool)
            try await harness.pool.withTransaction(scope: .system) { connection in
                // 3,000 deliveries kept (as for the retention period): 1 in 100 pending, 1 in 1,000 failed, for two tenants.
                try await connection.execute(
                    """
                    INSERT INTO webhook_inbox (tenant_id, source, event_id, event_type, object_id, event_created, payload, status)
                    SELECT CASE WHEN g % 3 = 0 THEN \(globex.rawValue) ELSE \(harness.tenant.rawValue) END, 'stripe', 'evt_' || g,
                           'customer.updated', 'cus_' || g, now(),
                           jsonb_build_object('data', jsonb_build_object('object', jsonb_build_object('id', 'cus_' || g, 'name', repeat('x', 200)))),
                           CASE WHEN g % 100 = 1 THEN 'pending' WHEN g % 1000 = 2 THEN 'failed' ELSE 'processed' END
                    FROM generate_series(1, 3000) AS g
                    """)
            }
            try await harness.pool.withConnection { try await $0.execute("ANALYZE webhook_inbox") }

            let counts = try await harness.pool.withTransaction(scope: .tenant(harness.tenant)) { try await WebhookInbox.counts(on: $0) }
            let others = try await harness.pool.withTransaction(scope: .tenant(globex)) { try await WebhookInbox.counts(on: $0) }
            let all = try await harness.pool.withTransaction(scope: .system) { try await WebhookInbox.counts(on: $0) }
            // Pending: g = 1, 101, …, 2901 (every third of them globex's); failed: g = 2 and 2002 (acme's), 1002 (globex's).
            #expect(all.pending == 30 && all.failed == 3)
            #expect(counts.pending == 20 && counts.failed == 2, "each tenant sees only its own deliveries")
            #expect(others.pending == 10 && others.failed == 1)

            for scope in [DatabaseScope.system, .tenant(harness.tenant)] {
                let plan = try await harness.pool.withTransaction(scope: scope) { connection in
                    try await connection.query("EXPLAIN \(WebhookInbox.countsStatement)").decode(String.self)
                }
                #expect(!plan.contains { $0.contains("Seq Scan") }, "the counts read no delivery they do not count (\(scope)):\n\(plan.joined(separator: "\n"))")
            }
        }
    }
}
