import Connectors
import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import SyncDomain
import SyncEngine
import Testing

@testable import Ingest

@Suite("a claim's deliveries recorded together", .timeLimit(.minutes(5)))
struct InboxBatchTests {
    @Test("one customer whose stream cannot be read fails alone: the tenant's other deliveries of the claim are recorded and settled")
    func unreadableStreamFailsAlone() async throws {
        try await IngestHarness.run { harness in
            let inbox = WebhookInbox(pool: harness.pool)
            for customer in ["cus_good", "cus_bad", "cus_other"] {
                #expect(
                    try await inbox.record(
                        tenant: harness.tenant, eventID: "evt_\(customer)", eventType: "customer.updated", objectID: customer,
                        eventCreated: Date(), payload: PGJSON(text: "{}")))
            }
            for customer in ["cus_good", "cus_other"] {
                try await harness.handler.observeCustomer(
                    CustomerObserved(customer: .stripe(customer), fields: ["name": customer]), tenant: harness.tenant,
                    metadata: CommandMetadata(actor: "test"))
            }
            // An event this build cannot decode (written by a newer one, say) in one customer's stream.
            try await harness.pool.withTransaction(scope: .system) { connection in
                try await connection.execute(
                    """
                    INSERT INTO events (tenant_id, stream_id, stream_version, type, data)
                    VALUES (\(harness.tenant.rawValue), \(StreamName.customer(.stripe("cus_bad")).rawValue), 1, 'CustomerRenamedInTheFuture', '{}')
                    """)
            }
            let processor = InboxProcessor(
                pool: harness.pool, commands: harness.handler, stripeCustomers: NotFoundCustomers(), doorbell: Doorbell(),
                logger: harness.database.logger)
            let outcomes = try await processor.processPending()

            #expect(outcomes.sorted { $0.rawValue < $1.rawValue } == [.processed, .processed, .retry])
            let rows = try await harness.pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT event_id, status, last_error FROM webhook_inbox").decode((String, String, String?).self)
            }
            let byEvent = Dictionary(uniqueKeysWithValues: rows.map { ($0.0, ($0.1, $0.2)) })
            #expect(byEvent["evt_cus_good"]?.0 == "processed")
            #expect(byEvent["evt_cus_other"]?.0 == "processed")
            #expect(byEvent["evt_cus_bad"]?.0 == "pending")
            #expect(byEvent["evt_cus_bad"]?.1?.contains("CustomerRenamedInTheFuture") == true, "the error names the event: \(byEvent)")
            let recorded = try await harness.pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT stream_id, type FROM events ORDER BY global_position").decode((String, String).self)
            }
            let deletions = recorded.filter { $0.1 == "CustomerDeleted" }.map(\.0).sorted()
            #expect(deletions == ["cus_good", "cus_other"].map { StreamName.customer(.stripe($0)).rawValue }, "\(recorded)")
        }
    }
}
