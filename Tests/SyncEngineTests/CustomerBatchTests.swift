import EventStore
import Foundation
import PGClient
import SyncDomain
import SyncEngine
import Testing

/// Several customer commands of one tenant decided together (the webhook inbox's deliveries of one claim).
@Suite("customer commands in a batch", .timeLimit(.minutes(5)))
struct CustomerBatchTests {
    @Test("one append, each customer's events in its commands' order with their own metadata; a refusal fails alone")
    func oneAppendInOrder() async throws {
        try await EngineHarness.run { engine throws in
            let anna = CustomerRef.stripe("cus_anna")
            let bob = CustomerRef.stripe("cus_bob")
            _ = try await engine.observe(bob, ["name": "Bob", "email": "bob@example.com"], sourceEventID: "evt_0")
            func observed(_ customer: CustomerRef, _ email: String, _ event: String) -> CustomerCommandItem {
                CustomerCommandItem(
                    .observe(CustomerObserved(customer: customer, fields: ["name": "Someone", "email": email], sourceEventId: event)),
                    customer: customer, metadata: CommandMetadata(actor: "stripe:webhook", sourceEventID: event))
            }
            let items = [
                observed(anna, "anna@example.com", "evt_1"),
                CustomerCommandItem(.include(anna), customer: anna, metadata: EngineHarness.user),  // not excluded: refused
                observed(bob, "bob@example.com", "evt_2"),  // Bob's name changed
                observed(anna, "anna@elsewhere.example", "evt_3"),  // decided on what evt_1 left
                observed(anna, "anna@elsewhere.example", "evt_4"),  // identical: nothing
            ]
            let results = try await engine.handler.customerCommands(items, tenant: engine.tenant)

            #expect(results.count == 5)
            #expect(try results[0].get().count == 1)
            #expect(throws: CommandError.self) { try results[1].get() }
            #expect((try? results[2].get().count) == 1)
            #expect((try? results[3].get().count) == 1)
            #expect((try? results[4].get())?.isEmpty == true)

            let batch = try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    """
                    SELECT txid::text, stream_id, stream_version, metadata->>'sourceEventId' FROM events
                    WHERE tenant_id = \(engine.tenant.rawValue) ORDER BY global_position DESC LIMIT 3
                    """
                ).decode((String, String, Int64, String?).self).reversed()
            }
            #expect(Set(batch.map(\.0)).count == 1, "one append")
            // Grouped by stream as any decision's append is (streams in the order they first appear), each customer's
            // events in its commands' order.
            #expect(batch.map(\.1) == [anna, anna, bob].map { StreamName.customer($0).rawValue })
            #expect(batch.map(\.2) == [1, 2, 2])
            #expect(batch.map(\.3) == ["evt_1", "evt_3", "evt_2"])
        }
    }
}
