import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import SyncDomain
import SyncEngine
import Testing

@Suite("the partner picker over PostgreSQL", .timeLimit(.minutes(5)))
struct PartnerPickerTests {
    /// An unpartnered Stripe customer and, on the e-conomic side: one sharing its CVR number (written differently)
    /// and e-mail, one sharing its name (other case and spacing), one sharing its phone, one sharing nothing, one
    /// sharing its e-mail but already partnered, one excluded; and another tenant's customer sharing everything.
    static func seed(_ harness: ServerHarness) async throws {
        // Automatic matching by a field none of them has, so that every customer stays unpartnered.
        var settings = TenantSettings.default
        settings.createPolicy = .manual
        settings.matchFields = [MatchField(source: "metadata.erp_id", economic: "customerNumber", required: false)]
        try await harness.handler.updateSettings(settings, expectedVersion: 0, tenant: harness.acme, metadata: ServerHarness.user)
        try await harness.manualCreation(harness.globex)
        try await harness.observe(
            .stripe("cus_anna"), ["name": "Anna Jensen ApS", "email": "anna@example.com", "phone": "+45 12 34 56 78", "tax_id": "DK12345678"])
        try await harness.observe(
            .economic(1), ["name": "A. Jensen", "corporateIdentificationNumber": "dk 12 34 56 78", "email": "info@example.com anna@example.com"])
        try await harness.observe(.economic(2), ["name": "anna  JENSEN aps"])
        try await harness.observe(.economic(3), ["name": "Telefon Kunde", "telephoneAndFaxNumber": "+45 12345678"])
        try await harness.observe(.economic(4), ["name": "Unrelated", "email": "someone@example.com"])
        try await harness.observe(.economic(5), ["name": "Taken", "email": "anna@example.com"])
        try await harness.observe(.stripe("cus_taken"), ["name": "Taken", "email": "taken@example.com"])
        try await harness.handler.selectPartner(
            source: .stripe("cus_taken"), economic: .economic(5), tenant: harness.acme, metadata: ServerHarness.user)
        try await harness.observe(.economic(6), ["name": "Anna Jensen ApS"])
        try await harness.handler.exclude(.economic(6), tenant: harness.acme, metadata: ServerHarness.user)
        try await harness.observe(
            .economic(7), ["name": "Anna Jensen ApS", "email": "anna@example.com", "corporateIdentificationNumber": "DK12345678"],
            tenant: harness.globex)
        try await harness.settle()
    }

    @Test("suggestions are ranked by what is shared, say why, and come only from free customers of this tenant; q searches the other side")
    func suggestions() async throws {
        try await ServerHarness.run { harness in
            try await Self.seed(harness)
            try await harness.withClient { client throws in
                let answer = try await client.get("/api/v1/customers/stripe/cus_anna/suggestions", key: harness.acmeKey)
                #expect(answer.status == .ok)
                let body = try answer.json()
                let suggestions = try #require(body["suggestions"] as? [[String: Any]])
                #expect(suggestions.map { $0["ref"] as? String } == ["economic:1", "economic:3", "economic:2"])
                #expect(suggestions.map { $0["reasons"] as? [String] } == [["taxID", "email"], ["phone"], ["name"]])
                #expect(suggestions.first?["why"] as? String == "same CVR/VAT number, same e-mail")
                #expect(body["results"] == nil)

                let search = try await client.get("/api/v1/customers/stripe/cus_anna/suggestions?q=unrel", key: harness.acmeKey).json()
                let results = try #require(search["results"] as? [[String: Any]])
                #expect(results.map { $0["ref"] as? String } == ["economic:4"])
                #expect(results.first?["reasons"] as? [String] == [])
                let taken = try await client.get("/api/v1/customers/stripe/cus_anna/suggestions?q=taken", key: harness.acmeKey).json()
                #expect((taken["results"] as? [[String: Any]])?.isEmpty == true, "a partnered customer is not offered")

                // From the e-conomic side, the Stripe customer is suggested back.
                let back = try await client.get("/api/v1/customers/economic/1/suggestions", key: harness.acmeKey).json()
                #expect((back["suggestions"] as? [[String: Any]])?.map { $0["ref"] as? String } == ["stripe:cus_anna"])

                // Another tenant sees neither the customer nor suggestions from acme.
                #expect(try await client.get("/api/v1/customers/stripe/cus_anna/suggestions", key: harness.globexKey).status == .notFound)
                let globex = try await client.get("/api/v1/customers/economic/7/suggestions", key: harness.globexKey).json()
                #expect((globex["suggestions"] as? [[String: Any]])?.isEmpty == true)
            }
        }
    }

    @Test("the customer page offers the suggestions with why; choosing one pairs the two, a refusal is shown next to the picker")
    func choosing() async throws {
        try await ServerHarness.run { harness in
            try await Self.seed(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let page = try await client.get("/ui/customers/stripe/cus_anna", cookie: cookie)
                #expect(page.status == .ok)
                #expect(
                    page.text.contains("Choose a partner") && page.text.contains("A. Jensen")
                        && page.text.contains("same CVR/VAT number, same e-mail"))
                #expect(!page.text.contains("Unrelated") && !page.text.contains(">Taken<"))
                let searched = try await client.get("/ui/customers/stripe/cus_anna?q=unrel", cookie: cookie)
                #expect(searched.text.contains("Unrelated"))
                let token = try #require(page.csrfToken)

                let refused = try await client.postForm(
                    "/ui/customers/stripe/cus_anna/choose-partner", [("_csrf", token), ("partner", "economic:5")], cookie: cookie)
                #expect(refused.status == .conflict)
                #expect(refused.text.contains("This partner cannot be chosen"))
                #expect(refused.headers[.location] == nil)

                let chosen = try await client.postForm(
                    "/ui/customers/stripe/cus_anna/choose-partner", [("_csrf", token), ("partner", "economic:1")], cookie: cookie)
                #expect(chosen.status == .seeOther)
                #expect(chosen.headers[.location] == "/ui/customers/stripe/cus_anna#partner")
                let linked = try await harness.events().contains { event in
                    if case .partnerLinked(let link) = event { link.source == .stripe("cus_anna") && link.economic == .economic(1) } else { false }
                }
                #expect(linked)
            }
        }
    }
}
