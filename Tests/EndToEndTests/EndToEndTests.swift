import Connectors
import EconomicSandbox
import Foundation
import Outbound
import Runtime
import Testing

@Suite("end to end over real HTTP", .timeLimit(.minutes(12)))
struct EndToEndTests {
    @Test("a Stripe customer becomes one e-conomic customer with the tenant's defaults, and its number is written back to Stripe")
    func stripeCustomerToEconomic() async throws {
        try await EndToEnd.run { e2e in
            let email = "berlin@\(e2e.domain)"
            let created = try await e2e.stripe.createCustomer(
                fields: [.name: "Berlin Bikes GmbH", .email: email, .phone: "+49 30 1234567", .addressLine1: "Torstraße 1",
                         .addressPostalCode: "10119", .addressCity: "Berlin", .addressCountry: "DE"])
            try await e2e.eventually("the customer appears in e-conomic") { try await e2e.economicCustomers().count == 1 }
            let customer = try #require(try await e2e.economicCustomers().first)
            #expect(customer.name == "Berlin Bikes GmbH")
            #expect(customer.email == email)
            #expect(customer.telephoneAndFaxNumber == "+49 30 1234567")
            #expect(customer.city == "Berlin")
            #expect(customer.zip == "10119")
            #expect(customer.currency == "DKK")
            #expect(customer.vatZone?.number == 2, "Germany is in the EU: the EU VAT zone")
            #expect(customer.customerGroup?.number == 1)
            #expect(customer.paymentTerms?.number == 1)
            #expect(customer.layout?.number == 19)
            let number = try #require(customer.customerNumber)
            try await e2e.eventually("the number is written back to Stripe") {
                guard case .customer(let stripeCustomer) = try await e2e.stripe.customer(id: created.id) else { return false }
                return stripeCustomer.metadata[EndToEnd.writeBackKey] == String(number)
            }
            // The write-back's own webhook (our echo) changes nothing in e-conomic.
            try await Task.sleep(for: .seconds(2))
            #expect(try await e2e.economicCustomers().count == 1)
            let counts = try await OutboundQueue(store: e2e.services.store).counts(for: e2e.tenant)
            #expect(counts.abandoned == 0)
        }
    }

    @Test("under dropped responses, 429s and 500s, 200 Stripe customers give exactly 200 e-conomic customers, none twice")
    func twoHundredUnderFaults() async throws {
        let knobs = SandboxKnobs(rateLimitRate: 0.10, retryAfterSeconds: 1, serverErrorRate: 0.10, dropResponseRate: 0.15)
        try await EndToEnd.run(knobs: knobs) { e2e in
            let emails = (0..<200).map { "customer\($0)@\(e2e.domain)" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for chunk in stride(from: 0, to: emails.count, by: 20).map({ Array(emails[$0..<min($0 + 20, emails.count)]) }) {
                    group.addTask {
                        for email in chunk { _ = try await e2e.stripe.createCustomer(fields: [.name: "Customer \(email.prefix(12))", .email: email]) }
                    }
                }
                try await group.waitForAll()
            }
            // Generous: alone this takes about 15 s, but the suites run in parallel (the 10,000-row import among them).
            var lastSeen = ""
            do {
                try await e2e.eventually("200 customers in e-conomic and nothing left to send", timeout: .seconds(600)) {
                    let counts = try await OutboundQueue(store: e2e.services.store).counts(for: e2e.tenant)
                    let inEconomic = try await e2e.economicCustomers().count
                    lastSeen = "\(inEconomic) in e-conomic; outbound \(counts); \(try await e2e.pipelineState())"
                    return inEconomic >= 200 && counts.pending + counts.failedWaiting + counts.rateLimited + counts.inFlight == 0
                }
            } catch {
                Issue.record("last seen: \(lastSeen)")
                throw error
            }
            let customers = try await e2e.economicCustomers()
            let byEmail = Dictionary(grouping: customers, by: { $0.email ?? "" })
            #expect(customers.count == 200, "exactly 200 e-conomic customers")
            #expect(byEmail.values.allSatisfy { $0.count == 1 }, "none twice")
            #expect(Set(byEmail.keys) == Set(emails), "none missing")
            let stats = try await sandboxStats(e2e)
            #expect(stats.contains("\"dropResponse\""), "the sandbox really dropped responses: \(stats.prefix(300))")
        }
    }

    private func sandboxStats(_ e2e: EndToEnd) async throws -> String {
        let response = try await HTTPClientShim.get(e2e.sandboxURL + "/_sandbox/stats")
        return response
    }
}
