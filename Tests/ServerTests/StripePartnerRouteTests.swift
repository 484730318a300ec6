import Foundation
import HTTPTypes
import HummingbirdTesting
import SyncDomain
import Testing

/// "Create partner in Stripe" for an e-conomic customer: the API's `target`, refused where it makes no sense, and the
/// pages' button among the other actions.
@Suite struct StripePartnerRouteTests {
    func seed(_ harness: MemoryHarness) async throws {
        try await harness.manualCreation()
        try await harness.observe(.economic(42), ["name": "Someone", "email": "someone@example.com", "currency": "DKK"])
        try await harness.observe(.stripe("cus_anna"), ["name": "Anna", "email": "anna@example.com"])
        try await harness.settle()
    }

    @Test("target stripe requests the Stripe customer; an unknown target, a Stripe customer's or a whole side's is 422; a second is 409")
    func api() async throws {
        try await MemoryHarness.run { harness in
            try await seed(harness)
            try await harness.withClient { client throws in
                let key = harness.acmeKey
                let unknown = try await client.post("/api/v1/customers/economic/42/create-partner", key: key, json: #"{"target":"mars"}"#)
                #expect(unknown.status == .unprocessableContent && unknown.errorMessage?.contains("mars") == true)
                let fromStripe = try await client.post("/api/v1/customers/stripe/cus_anna/create-partner", key: key, json: #"{"target":"stripe"}"#)
                #expect(fromStripe.status == .unprocessableContent && fromStripe.errorMessage?.contains("e-conomic") == true)
                let wholeSide = try await client.post("/api/v1/unpartnered/economic/create-partners", key: key, json: #"{"target":"stripe"}"#)
                #expect(wholeSide.status == .unprocessableContent && wholeSide.errorMessage?.contains("one customer at a time") == true)

                let created = try await client.post("/api/v1/customers/economic/42/create-partner", key: key, json: #"{"target":"stripe"}"#)
                #expect(created.status == .accepted)
                #expect(try created.json()["events"] as? [String] == ["PartnerCreationRequested", "StripeWriteRequested"])
                let again = try await client.post("/api/v1/customers/economic/42/create-partner", key: key, json: #"{"target":"stripe"}"#)
                #expect(again.status == .conflict && again.errorMessage?.contains("already being created") == true)
                let asFile = try await client.post("/api/v1/customers/economic/42/create-partner", key: key, json: #"{"target":"file"}"#)
                #expect(asFile.status == .conflict, "the customer is reserved for its Stripe partner")
            }
        }
    }

    @Test("the e-conomic side offers it among the other actions; pressing it says so in names")
    func page() async throws {
        try await MemoryHarness.run { harness in
            try await seed(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let economicSide = try await client.get("/ui/unpartnered?side=economic", cookie: cookie)
                let html = economicSide.text
                #expect(html.contains("Create partner in the file") && html.contains("Create partner in Stripe"))
                #expect(html.contains(#"name="target" value="stripe""#))
                let sourceSide = try await client.get("/ui/unpartnered?side=source", cookie: cookie).text
                #expect(!sourceSide.contains("Create partner in Stripe"), "a Stripe customer's partner is made in e-conomic only")

                let pressed = try await client.postForm(
                    "/ui/customers/economic/42/create-partner", [("_csrf", try #require(economicSide.csrfToken)), ("target", "stripe")], cookie: cookie)
                #expect(pressed.flash == "notice: Creating the partner of Someone in Stripe.", "\(pressed.flash ?? "")")
                let again = try await client.postForm(
                    "/ui/customers/economic/42/create-partner", [("_csrf", try #require(economicSide.csrfToken)), ("target", "stripe")], cookie: cookie)
                #expect(again.flash == "error: A partner of Someone in e-conomic is already being created.", "\(again.flash ?? "")")
            }
        }
    }
}
