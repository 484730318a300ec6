import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Testing

@testable import Ingest

@Suite("webhook deliveries recorded in shared transactions", .timeLimit(.minutes(5)))
struct InboxRecorderTests {
    static func delivery(_ tenant: TenantID, _ id: String, payload: String = #"{"data": {"object": {"id": "cus_1"}}}"#) -> WebhookDelivery {
        WebhookDelivery(tenant: tenant, eventID: id, eventType: "customer.updated", objectID: "cus_1", eventCreated: Date(), payload: payload)
    }

    static func recorded(_ harness: IngestHarness, _ tenant: TenantID) async throws -> [String] {
        try await WebhookInbox(pool: harness.pool).recent(tenant, limit: 100).map(\.eventID).sorted()
    }

    @Test("one lot of two tenants: each in its own scope, a duplicate answered as one, a refused delivery fails alone")
    func sharedLot() async throws {
        try await IngestHarness.run { harness in
            let other = try await harness.database.addTenant("globex", pool: harness.pool)
            let inbox = WebhookInbox(pool: harness.pool)
            #expect(try await inbox.record([Self.delivery(harness.tenant, "evt_before")], tenant: harness.tenant) == [true])
            let lot = [
                Self.delivery(harness.tenant, "evt_1"), Self.delivery(other, "evt_1"), Self.delivery(harness.tenant, "evt_before"),
                // PostgreSQL's jsonb refuses a NUL character: the whole statement fails, then each is recorded alone.
                Self.delivery(harness.tenant, "evt_nul", payload: #"{"data": "\u0000"}"#), Self.delivery(harness.tenant, "evt_2"),
                Self.delivery(harness.tenant, "evt_2"),
            ]
            let results = await InboxRecorder.record(lot, in: inbox)
            #expect(results.count == lot.count)
            #expect(try results[0].get() && results[1].get(), "the same event id at two tenants is two deliveries")
            #expect(try !results[2].get(), "already recorded")
            #expect(throws: PGError.self) { try results[3].get() }
            #expect(try results[4].get() && !results[5].get(), "the second of two in one lot is the duplicate")
            #expect(try await Self.recorded(harness, harness.tenant) == ["evt_1", "evt_2", "evt_before"])
            #expect(try await Self.recorded(harness, other) == ["evt_1"])
        }
    }

    @Test("many deliveries at once through a small pool: every one answered, each event recorded once")
    func concurrentDeliveries() async throws {
        try await IngestHarness.run { harness in
            let answers = try await harness.database.withPool(maxConnections: 2, as: .runtime) { pool in
                let recorder = InboxRecorder(pool: pool, maxDeliveries: 16, flushers: 2)
                return try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                    for index in 0..<120 {
                        // Every event twice: one of the two is new.
                        let id = "evt_\(index % 60)"
                        group.addTask { (id, try await recorder.record(Self.delivery(harness.tenant, id))) }
                    }
                    return try await group.reduce(into: [String: [Bool]]()) { $0[$1.0, default: []].append($1.1) }
                }
            }
            #expect(answers.count == 60)
            #expect(answers.values.allSatisfy { $0.count == 2 && $0.filter { $0 }.count == 1 }, "of each event's two deliveries, one is new")
            #expect(try await Self.recorded(harness, harness.tenant).count == 60)
        }
    }
}
