import Connectors
import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Synchronization
import Testing

@testable import Ingest

@Suite("the webhook inbox gives tenants turns", .timeLimit(.minutes(5)))
struct InboxTurnsTests {
    @Test("a burst of one tenant does not hold another tenant's delivery behind it: it is in the first claim, in the first turn")
    func burstDoesNotHoldOthers() async throws {
        try await IngestHarness.run { harness in
            let (globex, inbox, recorded) = try await burstThenOne(harness, burst: 300)
            #expect(recorded)

            let claims = try await inbox.claim(limit: 20, perTenant: 5, lease: .seconds(60))
            #expect(claims.filter { $0.tenant == harness.tenant }.count == 5, "acme takes at most its share of one claim")
            let position = try #require(claims.firstIndex { $0.tenant == globex }, "globex's delivery is in the first claim")
            #expect(position < 2, "globex's delivery waits behind \(position) of acme's")
        }
    }

    @Test("claims of one delivery alternate between the tenants that have some due, whoever's are older")
    func singleClaimsAlternate() async throws {
        try await IngestHarness.run { harness in
            let globex = try await harness.database.addTenant("globex", pool: harness.pool)
            // acme's deliveries were all received before globex's.
            try await addBacklog(10, of: harness.tenant, pool: harness.pool, receivedHoursAgo: 2)
            try await addBacklog(10, of: globex, pool: harness.pool, receivedHoursAgo: 1)
            let inbox = WebhookInbox(pool: harness.pool)
            var order: [TenantID] = []
            for _ in 0..<8 {
                let claims = try await inbox.claim(limit: 1, perTenant: 1, lease: .seconds(60))
                #expect(claims.count == 1)
                order += claims.map(\.tenant)
            }
            #expect(Set(order) == [harness.tenant, globex])
            #expect(zip(order, order.dropFirst()).allSatisfy { $0 != $1 }, "turns: \(order)")
            // Within a tenant, its own deliveries still come oldest first.
            let acmeIDs = try await claimedIDs(of: harness.tenant, pool: harness.pool)
            #expect(acmeIDs == ["evt_burst_1", "evt_burst_2", "evt_burst_3", "evt_burst_4"])
        }
    }

    @Test("the processor works through a burst to its end, and another tenant's delivery goes in the first turn")
    func processorTakesTurns() async throws {
        try await IngestHarness.run { harness in
            let (_, inbox, _) = try await burstThenOne(harness, burst: 60)
            let source = RecordingCustomerSource()
            let processor = InboxProcessor(
                pool: harness.pool, commands: harness.handler, stripeCustomers: source, configuration: .init(batchSize: 20, perTenant: 5, concurrentCustomers: 1),
                doorbell: Doorbell(), logger: harness.database.logger)

            let outcomes = try await processor.processPending()
            #expect(outcomes.count == 61, "one pass goes on while a tenant gave its whole share")
            #expect(try await inbox.backlog() == 0)
            let fetched = source.fetched
            #expect(fetched.count == 61)
            let position = try #require(fetched.firstIndex { $0 == "cus_globex" })
            #expect(position < 2, "globex's delivery waited behind \(position) of acme's")
        }
    }
}

/// acme with a burst of deliveries waiting, then one delivery of a second tenant, globex, recorded as the webhook
/// endpoint records it.
private func burstThenOne(_ harness: IngestHarness, burst: Int) async throws -> (globex: TenantID, inbox: WebhookInbox, recorded: Bool) {
    let globex = try await harness.database.addTenant("globex", pool: harness.pool)
    try await addBacklog(burst, of: harness.tenant, pool: harness.pool)
    let inbox = WebhookInbox(pool: harness.pool)
    let recorded = try await inbox.record(
        tenant: globex, eventID: "evt_globex", eventType: "customer.updated", objectID: "cus_globex", eventCreated: Date(),
        payload: PGJSON(text: "{}"))
    return (globex, inbox, recorded)
}

/// Inserts `count` pending deliveries of `tenant` (`evt_burst_1`…, received in that order, `receivedHoursAgo` hours
/// ago), due now.
private func addBacklog(_ count: Int, of tenant: TenantID, pool: PGConnectionPool, receivedHoursAgo: Int = 1) async throws {
    try await pool.withTransaction(scope: .system) { connection in
        try await connection.execute(
            """
            INSERT INTO webhook_inbox (tenant_id, source, event_id, event_type, object_id, event_created, payload, received_at, next_attempt_at)
            SELECT \(tenant.rawValue), 'stripe', 'evt_burst_' || i, 'customer.updated', 'cus_burst_' || i, received, '{}', received, received
            FROM generate_series(1, \(count)) i, LATERAL (SELECT now() - \(receivedHoursAgo) * interval '1 hour' + i * interval '1 ms' AS received) r
            """)
    }
}

/// The deliveries of `tenant` claimed so far (attempted at least once), oldest first.
private func claimedIDs(of tenant: TenantID, pool: PGConnectionPool) async throws -> [String] {
    try await pool.withTransaction(scope: .system) { connection in
        try await connection.query(
            "SELECT event_id FROM webhook_inbox WHERE tenant_id = \(tenant.rawValue) AND attempts > 0 ORDER BY received_at"
        ).decode(String.self)
    }
}

/// Answers every customer as not found (the processor records a deletion), remembering which were asked for, in order.
private final class RecordingCustomerSource: StripeCustomerSource {
    private let asked = Mutex<[String]>([])

    var fetched: [String] { asked.withLock { $0 } }

    func customer(id: String, tenant: TenantID) async throws -> StripeCustomerLookup {
        asked.withLock { $0.append(id) }
        return .notFound(id: id)
    }
}
