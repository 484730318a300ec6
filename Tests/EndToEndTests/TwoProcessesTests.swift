import Connectors
import EventStore
import Foundation
import Ingest
import Outbound
import PGClient
import Runtime
import Testing

/// Two Accord processes on one database, as two replicas of `accord serve` run: they share the work (reactor shards,
/// projections, the inbox, outbound requests), and when one dies the other finishes what it left.
@Suite("two Accord processes on one database", .serialized, .timeLimit(.minutes(10)))
struct TwoProcessesTests {
    static let first = "accord-first"
    static let second = "accord-second"

    @Test(
        "both take outbound requests; the first is killed mid-way and the second finishes: each Stripe customer once in e-conomic, its number written back"
    )
    func shareThenOneKilled() async throws {
        try await EndToEnd.run(processName: Self.first) { e2e in
            let second = try await AccordProcess.start(database: e2e.database, environment: e2e.environment, name: Self.second)
            let killed = e2e.process.value
            do {
                // Before the kill: Stripe's webhook reaches the first process; both workers take requests off one queue.
                var stripeIDs: [String: String] = [:]
                for index in 0..<20 {
                    let email = "before\(index)@\(e2e.domain)"
                    stripeIDs[email] = try await e2e.stripe.createCustomer(fields: [.name: "Before \(index)", .email: email]).id
                }
                try await e2e.eventually("both processes' workers have claimed requests", timeout: .seconds(300)) {
                    try await Self.workers(e2e).isSuperset(of: [Self.first, Self.second])
                }
                try await killed.kill(database: e2e.database)
                e2e.process.replace(with: second)
                // After it: the webhook still points at the dead process, so these reach the second only through the
                // catch-up; what the first held (shard leases, inbox and outbound claims) lapses and is taken over.
                var afterIDs: Set<String> = []
                for index in 0..<20 {
                    let email = "after\(index)@\(e2e.domain)"
                    let id = try await e2e.stripe.createCustomer(fields: [.name: "After \(index)", .email: email]).id
                    stripeIDs[email] = id
                    afterIDs.insert(id)
                }
                var lastSeen = ""
                do {
                    try await e2e.eventually("every customer in e-conomic with its number in Stripe", timeout: .seconds(420)) {
                        let customers = try await e2e.economicCustomers()
                        let numbers = Dictionary(customers.map { ($0.email ?? "", $0.customerNumber) }, uniquingKeysWith: { first, _ in first })
                        var written = 0
                        for (email, id) in stripeIDs {
                            guard case .customer(let customer) = try await e2e.stripe.customer(id: id), let number = numbers[email] ?? nil,
                                customer.metadata[EndToEnd.writeBackKey] == String(number)
                            else { continue }
                            written += 1
                        }
                        let counts = try await OutboundQueue(store: e2e.services.store).counts(for: e2e.tenant)
                        lastSeen =
                            "\(customers.count) in e-conomic, \(written) numbers written back; outbound \(counts); \(try await e2e.pipelineState())"
                        return written == stripeIDs.count && counts.pending + counts.failedWaiting + counts.rateLimited + counts.inFlight == 0
                    }
                } catch {
                    Issue.record("last seen: \(lastSeen)")
                    throw error
                }
                let customers = try await e2e.economicCustomers()
                let byEmail = Dictionary(grouping: customers, by: { $0.email ?? "" })
                #expect(customers.count == stripeIDs.count, "exactly one e-conomic customer per Stripe customer")
                #expect(byEmail.values.allSatisfy { $0.count == 1 }, "none twice")
                #expect(Set(byEmail.keys) == Set(stripeIDs.keys), "none missing")
                #expect(try await OutboundQueue(store: e2e.services.store).counts(for: e2e.tenant).abandoned == 0)
                let deliveries = try await WebhookInbox(pool: e2e.services.pool).recent(e2e.tenant, limit: 100_000)
                for id in afterIDs {
                    #expect(
                        deliveries.contains { $0.objectID == id && $0.eventType == "customer.created" && $0.receivedVia == "catch_up" },
                        "\(id), created after the kill, came through the second process's catch-up")
                }
            } catch {
                try? await second.stop()
                throw error
            }
        }
    }

    /// The workers whose claims on the tenant's outbound requests are on record (a released claim is removed once its
    /// request is finished).
    static func workers(_ e2e: EndToEnd) async throws -> Set<String> {
        try await e2e.services.pool.withTransaction(scope: .system) { connection in
            let rows = try await connection.query("SELECT DISTINCT worker FROM outbound_claims WHERE tenant_id = \(e2e.tenant.rawValue)")
            return Set(try rows.decode(String.self))
        }
    }
}
