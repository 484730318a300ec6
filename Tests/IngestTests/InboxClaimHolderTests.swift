import Connectors
import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Testing

@testable import Ingest

@Suite("a processor restarted under its id takes back what it held", .timeLimit(.minutes(5)))
struct InboxClaimHolderTests {
    @Test("claims of a killed processor are due again as soon as a processor with its id starts; other holders' claims still wait")
    func restartTakesBackOwnClaims() async throws {
        try await IngestHarness.run { harness in
            let inbox = WebhookInbox(pool: harness.pool)
            for number in 1...3 {
                #expect(
                    try await inbox.record(
                        tenant: harness.tenant, eventID: "evt_\(number)", eventType: "customer.updated", objectID: "cus_\(number)",
                        eventCreated: Date(), payload: PGJSON(text: "{}")))
            }
            // Two processors claimed, with an hour's lease, and were killed before settling anything.
            #expect(try await inbox.claim(limit: 2, perTenant: 5, lease: .seconds(3600), by: "host-a:1").count == 2)
            #expect(try await inbox.claim(limit: 1, perTenant: 5, lease: .seconds(3600), by: "host-b:1").count == 1)
            #expect(try await inbox.claim(limit: 5, perTenant: 5, lease: .seconds(60)).isEmpty, "nothing is due while the leases last")

            let processor = InboxProcessor(
                pool: harness.pool, commands: harness.handler, stripeCustomers: NotFoundCustomers(),
                configuration: .init(pollInterval: .milliseconds(100), holder: "host-a:1"), doorbell: Doorbell(), logger: harness.database.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await processor.run() }
                let deadline = ContinuousClock.now + .seconds(20)
                while try await statuses(harness).filter({ $0.value == "processed" }).count < 2, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                }
                group.cancelAll()
            }
            let settled = try await statuses(harness)
            #expect(settled["evt_1"] == "processed" && settled["evt_2"] == "processed", "host-a's claims were taken back: \(settled)")
            #expect(settled["evt_3"] == "pending", "host-b's claim waits for its lease")
        }
    }
}

/// Each delivery's status, by event id.
private func statuses(_ harness: IngestHarness) async throws -> [String: String] {
    let rows = try await harness.pool.withTransaction(scope: .system) { connection in
        try await connection.query("SELECT event_id, status FROM webhook_inbox").decode((String, String).self)
    }
    return Dictionary(uniqueKeysWithValues: rows)
}
