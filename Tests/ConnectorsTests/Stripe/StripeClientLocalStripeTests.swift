import Connectors
import Foundation
import Testing

/// The client against localstripe over real HTTP (`STRIPE_API_BASE`, started by `ops/test.sh`).
@Suite("Stripe client ⇄ localstripe")
struct StripeClientLocalStripeTests {
    @Test("create, retrieve and flatten a customer into the source vocabulary")
    func createRetrieveFlatten() async throws {
        let client = try LocalStripe.client()
        let email = LocalStripe.uniqueEmail("flatten")
        let created = try await client.createCustomer(
            fields: [
                .name: "Ærø Æbler ApS", .email: email, .phone: "+45 12 34 56 78", .description: "Orchard",
                .addressLine1: "Søndergade 3", .addressLine2: "Baghuset", .addressPostalCode: "5970", .addressCity: "Ærøskøbing",
                .addressState: "Syddanmark", .addressCountry: "DK",
            ],
            metadata: ["erp_id": "42", "segment": "fruit & veg"],
            // localstripe wants eu_vat values longer than 10 characters (a Danish DK12345678 is refused there).
            taxIDData: [StripeTaxIDData(type: "eu_vat", value: "DE123456789")],
            idempotencyKey: UUID().uuidString)
        #expect(created.id.hasPrefix("cus_"))

        let lookup = try await client.customer(id: created.id)
        let customer = try #require(lookup.customer)
        #expect(customer.created != nil)
        #expect(
            customer.sourceFields == [
                "name": "Ærø Æbler ApS", "email": email, "phone": "+45 12 34 56 78", "description": "Orchard",
                "address.line1": "Søndergade 3", "address.line2": "Baghuset", "address.postal_code": "5970",
                "address.city": "Ærøskøbing", "address.state": "Syddanmark", "address.country": "DK", "tax_id": "DE123456789",
                "currency": "eur",  // localstripe's arbitrary default
                "metadata.erp_id": "42", "metadata.segment": "fruit & veg",
            ])
    }

    @Test("list pages of 3 over 10 customers, without depending on order")
    func paging() async throws {
        let client = try LocalStripe.client()
        let email = LocalStripe.uniqueEmail("paging")
        var ids: Set<String> = []
        for index in 1...10 {
            ids.insert(try await client.createCustomer(fields: [.email: email, .name: "Paging \(index)"]).id)
        }

        var pages: [StripeCustomerPage] = []
        var cursor: String?
        repeat {
            let page = try await client.customers(limit: 3, startingAfter: cursor, email: email)
            pages.append(page)
            cursor = page.nextCursor
        } while cursor != nil && pages.count < 10
        #expect(pages.map(\.data.count) == [3, 3, 3, 1])
        #expect(pages.map(\.hasMore) == [true, true, true, false])
        #expect(Set(pages.flatMap(\.data).map(\.id)) == ids)

        var walked: [String] = []
        for try await customer in client.allCustomers(pageSize: 3, email: email) { walked.append(customer.id) }
        #expect(walked.count == 10)
        #expect(Set(walked) == ids)
    }

    @Test("update metadata with an Idempotency-Key; nil removes a key (localstripe keeps \"\")")
    func updateMetadata() async throws {
        let client = try LocalStripe.client()
        let customer = try await client.createCustomer(fields: [.email: LocalStripe.uniqueEmail("metadata")], metadata: ["keep": "yes"])
        let key = "accord-test-\(UUID().uuidString)"
        let updated = try await client.updateMetadata(customerID: customer.id, ["economic_number": "1001", "note": "x"], idempotencyKey: key)
        #expect(updated.metadata == ["keep": "yes", "economic_number": "1001", "note": "x"])

        let removed = try await client.updateMetadata(customerID: customer.id, ["note": nil], idempotencyKey: key + "-2")
        #expect(removed.metadata["note"] ?? "" == "")
        #expect(removed.sourceFields["metadata.note"] == nil)
        #expect(removed.sourceFields["metadata.economic_number"] == "1001")
        #expect(removed.sourceFields["metadata.keep"] == "yes")
    }

    @Test("update fields: name, email, phone, description (cleared) and the address")
    func updateFields() async throws {
        let client = try LocalStripe.client()
        let customer = try await client.createCustomer(
            fields: [.email: LocalStripe.uniqueEmail("fields"), .name: "Old", .description: "to clear"])
        let email = LocalStripe.uniqueEmail("fields-new")
        let updated = try await client.updateCustomer(
            customerID: customer.id,
            fields: [
                .name: "New Name A/S", .email: email, .phone: "+4511223344", .description: nil, .addressLine1: "Vej 1",
                .addressPostalCode: "8000", .addressCity: "Aarhus C", .addressCountry: "DK",
            ],
            idempotencyKey: UUID().uuidString)
        #expect(
            updated.sourceFields.filter { $0.key != "currency" } == [
                "name": "New Name A/S", "email": email, "phone": "+4511223344", "address.line1": "Vej 1", "address.postal_code": "8000",
                "address.city": "Aarhus C", "address.country": "DK",
            ])
        let fetched = try await client.customer(id: customer.id).customer
        #expect(fetched?.sourceFields == updated.sourceFields)
    }

    @Test("delete, then retrieve: deleted (Stripe) or not found (localstripe)")
    func deleteThenRetrieve() async throws {
        let client = try LocalStripe.client()
        let customer = try await client.createCustomer(fields: [.email: LocalStripe.uniqueEmail("delete")])
        try await client.deleteCustomer(id: customer.id)
        let lookup = try await client.customer(id: customer.id)
        #expect(lookup == .notFound(id: customer.id) || lookup == .deleted(id: customer.id))
        await #expect(throws: StripeAPIError.self) { try await client.deleteCustomer(id: customer.id) }
    }

    @Test("errors: an unknown customer is not found; an update of one throws a 404 error")
    func unknownCustomer() async throws {
        let client = try LocalStripe.client()
        #expect(try await client.customer(id: "cus_accordDoesNotExist") == .notFound(id: "cus_accordDoesNotExist"))
        do {
            _ = try await client.updateMetadata(customerID: "cus_accordDoesNotExist", ["a": "b"], idempotencyKey: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.isNotFound)
            #expect(error.status == 404)
            #expect(error.type == "invalid_request_error")
            #expect(!error.isRetryable)
            #expect(error.description.contains("POST /v1/customers/cus_accordDoesNotExist"))
        }
    }

    @Test("errors: a bad key gets 401, an actionable message without the key")
    func badKey() async throws {
        let key = "sk_x"  // localstripe accepts any sk_ key longer than 5 characters
        let client = try LocalStripe.client(secretKey: key)
        do {
            _ = try await client.customers(limit: 1)
            Issue.record("expected a 401")
        } catch {
            #expect(error.status == 401)
            #expect(error.isAuthenticationFailure)
            #expect(!error.isRetryable)
            #expect(error.description.contains("Check the Stripe secret key"))
            #expect(!error.description.contains(key))
        }
    }

    @Test("limits outside 1…100 and bracketed metadata keys are refused before calling")
    func invalidArguments() async throws {
        let client = try LocalStripe.client()
        await #expect(throws: StripeAPIError.self) { try await client.customers(limit: 101) }
        do {
            _ = try await client.updateMetadata(customerID: "cus_x", ["bad[key]": "v"], idempotencyKey: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .invalidArgument)
        }
    }
}
