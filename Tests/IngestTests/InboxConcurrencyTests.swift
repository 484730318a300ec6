import Connectors
import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Synchronization
import Testing

@testable import Ingest

@Suite("the webhook inbox processes several customers at once", .timeLimit(.minutes(5)))
struct InboxConcurrencyTests {
    @Test("re-fetches of different customers overlap; one customer's deliveries go one after the other, in event order")
    func customersOverlapDeliveriesOfOneDoNot() async throws {
        try await IngestHarness.run { harness in
            let inbox = WebhookInbox(pool: harness.pool)
            let start = Date().addingTimeInterval(-60)
            // Two deliveries of cus_same (the older one recorded last), and one each of four other customers.
            let deliveries: [(event: String, customer: String, created: TimeInterval)] = [
                ("evt_same_2", "cus_same", 2), ("evt_a", "cus_a", 1), ("evt_b", "cus_b", 1), ("evt_c", "cus_c", 1), ("evt_d", "cus_d", 1),
                ("evt_same_1", "cus_same", 1),
            ]
            for delivery in deliveries {
                #expect(
                    try await inbox.record(
                        tenant: harness.tenant, eventID: delivery.event, eventType: "customer.updated", objectID: delivery.customer,
                        eventCreated: start.addingTimeInterval(delivery.created), payload: PGJSON(text: "{}")))
            }
            let source = OverlapMeasuringSource(holdFor: .milliseconds(300))
            let processor = InboxProcessor(
                pool: harness.pool, commands: harness.handler, stripeCustomers: source,
                configuration: .init(batchSize: 20, perTenant: 20, concurrentCustomers: 3), doorbell: Doorbell(), logger: harness.database.logger)

            let outcomes = try await processor.processPending()
            #expect(outcomes == Array(repeating: .processed, count: 6))
            #expect(try await inbox.backlog() == 0)
            #expect(source.mostAtOnce == 3, "at most three customers at once, and three did overlap")
            let same = source.log.filter { $0.customer == "cus_same" }
            #expect(same.map(\.event) == ["start", "end", "start", "end"], "cus_same's deliveries never overlap: \(source.log)")
            let sameEvents = try await claimedInOrder(harness, customer: "cus_same")
            #expect(sameEvents == ["evt_same_1", "evt_same_2"], "the older event first")
        }
    }
}

/// When each delivery of `customer` was settled, oldest first.
private func claimedInOrder(_ harness: IngestHarness, customer: String) async throws -> [String] {
    try await harness.pool.withTransaction(scope: .system) { connection in
        try await connection.query(
            "SELECT event_id FROM webhook_inbox WHERE object_id = \(customer) AND status = 'processed' ORDER BY processed_at, event_id"
        ).decode(String.self)
    }
}

/// Answers every customer as not found after holding the fetch for a while, recording when each fetch starts and
/// ends and the most fetches in flight at once.
private final class OverlapMeasuringSource: StripeCustomerSource {
    struct Entry: Sendable, CustomStringConvertible {
        var customer: String
        var event: String
        var description: String { "\(customer) \(event)" }
    }

    private struct State {
        var inFlight = 0
        var most = 0
        var log: [Entry] = []
    }

    private let state = Mutex(State())
    private let hold: Duration

    init(holdFor hold: Duration) { self.hold = hold }

    var mostAtOnce: Int { state.withLock { $0.most } }
    var log: [Entry] { state.withLock { $0.log } }

    func customer(id: String, tenant: TenantID) async throws -> StripeCustomerLookup {
        state.withLock {
            $0.inFlight += 1
            $0.most = max($0.most, $0.inFlight)
            $0.log.append(Entry(customer: id, event: "start"))
        }
        try await Task.sleep(for: hold)
        state.withLock {
            $0.inFlight -= 1
            $0.log.append(Entry(customer: id, event: "end"))
        }
        return .notFound(id: id)
    }
}
