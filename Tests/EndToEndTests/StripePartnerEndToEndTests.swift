import Connectors
import Foundation
import Outbound
import Projections
import Runtime
import SyncDomain
import SyncEngine
import Testing

@Suite("end to end: an e-conomic customer's partner created in Stripe", .timeLimit(.minutes(12)))
struct StripePartnerEndToEndTests {
    @Test("one Stripe customer is made, carrying the e-conomic number; its own webhook pairs or finds the pair, and nothing comes back to e-conomic")
    func createInStripe() async throws {
        try await EndToEnd.run { e2e in
            let email = "made-in-economic@\(e2e.domain)"
            let made = try await e2e.economic.createCustomer(
                try EconomicCustomer(fieldMap: [
                    "name": "Economic First A/S", "email": email, "city": "Vejle", "currency": "DKK", "customerGroup": "1", "paymentTerms": "1",
                    "vatZone": "1",
                ]))
            let number = try #require(made.customerNumber)
            let economic = CustomerRef.economic(number)
            let customers = CustomerQueries(pool: e2e.services.pool)
            try await e2e.eventually("Accord has seen the e-conomic customer") {
                try await !customers.customers(e2e.tenant, refs: [economic]).isEmpty
            }

            try await e2e.services.commands.createStripePartner(economic, tenant: e2e.tenant, metadata: CommandMetadata(actor: "user:test"))

            try await e2e.eventually("the pair is made and nothing is left to send") {
                let row = try await customers.customers(e2e.tenant, refs: [economic]).first
                let counts = try await OutboundQueue(store: e2e.services.store).counts(for: e2e.tenant)
                return row?.partner?.hasPrefix("stripe:") == true && counts.pending + counts.failedWaiting + counts.rateLimited + counts.inFlight == 0
            }
            let inStripe = try await e2e.stripe.customers(email: email).data
            #expect(inStripe.count == 1, "one Stripe customer")
            let stripeCustomer = try #require(inStripe.first)
            #expect(stripeCustomer.name == "Economic First A/S" && stripeCustomer.address?.city == "Vejle")
            #expect(stripeCustomer.metadata[EndToEnd.writeBackKey] == String(number), "it carries its e-conomic number from the start")
            let row = try #require(try await customers.customers(e2e.tenant, refs: [economic]).first)
            #expect(row.partner == "stripe:\(stripeCustomer.id)")

            // Its own customer.created reaches Accord: observed, already paired — no match failure, no copy in e-conomic.
            try await e2e.eventually("the new Stripe customer is observed") {
                try await e2e.observedStripeCustomers().contains(stripeCustomer.id)
            }
            try await Task.sleep(for: .seconds(2))
            let observed = try #require(try await customers.customers(e2e.tenant, refs: [.stripe(stripeCustomer.id)]).first)
            #expect(observed.partner == economic.description && observed.matchFailure == nil)
            #expect(try await e2e.economicCustomers().count == 1, "nothing comes back to e-conomic")
            let counts = try await OutboundQueue(store: e2e.services.store).counts(for: e2e.tenant)
            #expect(counts.abandoned == 0)
        }
    }
}
