import Connectors
import Foundation
import Outbound
import Projections
import Runtime
import Testing

@Suite("end to end: updates as field patches", .timeLimit(.minutes(12)))
struct PatchEndToEndTests {
    @Test("updates overwrite edits (issue 9, hole 1): a Stripe rename after an accountant's edit of name and zip → a name conflict, the zip kept")
    func stripeRenameAfterAccountantsEdit() async throws {
        try await EndToEnd.run { e2e in
            let created = try await e2e.stripe.createCustomer(
                fields: [
                    .name: "Demo One ApS", .email: "one@\(e2e.domain)", .addressLine1: "Main Street 1", .addressPostalCode: "1000",
                    .addressCity: "Copenhagen", .addressCountry: "DK",
                ])
            try await e2e.eventually("the customer appears in e-conomic") { try await e2e.economicCustomers().count == 1 }
            let number = try #require(try await e2e.economicCustomers().first?.customerNumber)
            try await e2e.eventually("the number is written back and nothing is left to send") {
                guard case .customer(let customer) = try await e2e.stripe.customer(id: created.id) else { return false }
                let counts = try await OutboundQueue(store: e2e.services.store).counts(for: e2e.tenant)
                return customer.metadata[EndToEnd.writeBackKey] == String(number) && counts.pending + counts.failedWaiting + counts.rateLimited + counts.inFlight == 0
            }

            // The accountant edits name and zip in e-conomic; a few moments later (long before the next poll of
            // e-conomic) the name changes in Stripe.
            _ = try await e2e.economic.updateCustomer(number: number) { customer in
                customer.name = "Accountant's Name ApS"
                customer.zip = "2000"
            }
            _ = try await e2e.stripe.updateCustomer(customerID: created.id, fields: [.name: "Stripe's Name ApS"], idempotencyKey: nil)

            let conflicts = PartnerLinkQueries(pool: e2e.services.pool)
            try await e2e.eventually("a conflict on the name") {
                try await conflicts.conflicts(e2e.tenant).contains { $0.field == "name" }
            }
            let conflict = try #require(try await conflicts.conflicts(e2e.tenant).first { $0.field == "name" })
            #expect(conflict.sourceValue == "Stripe's Name ApS")
            #expect(conflict.economicValue == "Accountant's Name ApS")
            #expect(conflict.baseValue == "Demo One ApS")
            let customer = try #require(try await e2e.economic.customer(number: number))
            #expect(customer.name == "Accountant's Name ApS", "the accountant's name is not overwritten")
            #expect(customer.zip == "2000", "nor the zip, which Stripe did not change")
            // Once the poll has seen the accountant's edit, the zip reaches Stripe; the name stays in conflict.
            try await e2e.eventually("the accountant's zip reaches Stripe") {
                guard case .customer(let customer) = try await e2e.stripe.customer(id: created.id) else { return false }
                return customer.address?.postalCode == "2000"
            }
            #expect(try await e2e.economic.customer(number: number)?.name == "Accountant's Name ApS")
            #expect(try await conflicts.conflicts(e2e.tenant).filter { $0.linkID == conflict.linkID }.map(\.field) == ["name"])
        }
    }
}
