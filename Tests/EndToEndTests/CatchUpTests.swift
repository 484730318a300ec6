import Connectors
import Foundation
import Ingest
import Runtime
import SyncDomain
import Testing

/// The tenants create nothing in e-conomic (manual creation): what is tested is that the customers reach Accord, and
/// a tenant that created partners would also create them for — and write numbers back to — every other test's Stripe
/// customers it sees, loading the shared localstripe. One test at a time, for the same reason.
@Suite("lost webhooks caught up from Stripe's events list, end to end", .serialized, .timeLimit(.minutes(10)))
struct CatchUpTests {
    @Test("Stripe customers created while the webhook is switched off reach Accord through the catch-up")
    func webhookSwitchedOff() async throws {
        try await EndToEnd.run(settings: { $0.createPolicy = .manual }) { e2e in
            try await e2e.disableWebhook()
            var ids: Set<String> = []
            for index in 0..<3 {
                ids.insert(try await e2e.stripe.createCustomer(fields: [.name: "Unheard \(index)", .email: "unheard\(index)@\(e2e.domain)"]).id)
            }
            try await e2e.eventually("the customers are observed") { try await e2e.observedStripeCustomers().isSuperset(of: ids) }
            let entries = try await WebhookInbox(pool: e2e.services.pool).recent(e2e.tenant, limit: 100_000)
            for id in ids {
                #expect(entries.contains { $0.objectID == id && $0.eventType == "customer.created" && $0.receivedVia == "catch_up" }, "\(id)")
            }
        }
    }

    @Test("Stripe customers created while Accord is down reach it after the restart, from the cursor the first process left")
    func accordDown() async throws {
        try await EndToEnd.run(settings: { $0.createPolicy = .manual }) { e2e in
            let cursors = StripeEventCursors(pool: e2e.services.pool)
            try await e2e.eventually("a first catch-up has read") { try await cursors.cursor(of: e2e.tenant) != nil }
            let before = try #require(try await cursors.cursor(of: e2e.tenant))
            var ids: Set<String> = []
            try await e2e.restart {
                for index in 0..<3 {
                    ids.insert(try await e2e.stripe.createCustomer(fields: [.name: "While Down \(index)", .email: "down\(index)@\(e2e.domain)"]).id)
                }
            }
            try await e2e.eventually("the customers are observed") { try await e2e.observedStripeCustomers().isSuperset(of: ids) }
            let after = try #require(try await StripeEventCursors(pool: e2e.services.pool).cursor(of: e2e.tenant))
            #expect(after.createdFrom >= before.createdFrom, "the restarted process went on from the stored cursor")
        }
    }
}
