import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Testing

@testable import Ingest

@Suite("webhook deliveries are kept for the retention period", .timeLimit(.minutes(5)))
struct InboxRetentionTests {
    @Test("settled deliveries older than the period are removed; pending ones and recent ones stay")
    func purge() async throws {
        try await IngestHarness.run { harness in
            let inbox = WebhookInbox(pool: harness.pool)
            for id in ["evt_old_done", "evt_old_pending", "evt_new_done"] {
                #expect(
                    try await inbox.record(
                        tenant: harness.tenant, eventID: id, eventType: "customer.updated", objectID: "cus_1", eventCreated: Date(),
                        payload: PGJSON(text: #"{"data": {"object": {"email": "anna@example.com"}}}"#)))
            }
            try await harness.pool.withTransaction(scope: .system) { connection in
                try await connection.execute("UPDATE webhook_inbox SET status = 'processed' WHERE event_id IN ('evt_old_done', 'evt_new_done')")
                try await connection.execute(
                    "UPDATE webhook_inbox SET received_at = now() - interval '31 days' WHERE event_id IN ('evt_old_done', 'evt_old_pending')")
            }
            let retention = InboxRetention(pool: harness.pool, configuration: .init(days: 30, batchSize: 1), logger: harness.database.logger)
            #expect(try await retention.purge() == 1)
            let left = try await inbox.recent(harness.tenant, limit: 10).map(\.eventID).sorted()
            #expect(left == ["evt_new_done", "evt_old_pending"])
            #expect(try await retention.purge() == 0, "nothing more to remove")
        }
    }
}
