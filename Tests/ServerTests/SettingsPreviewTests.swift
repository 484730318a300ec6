import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import SyncDomain
import SyncEngine
import Testing

/// `POST /api/v1/settings/preview` and the settings page's Preview: proposed settings replayed over the tenant's log,
/// nothing saved.
@Suite("settings preview", .timeLimit(.minutes(5)))
struct SettingsPreviewTests {
    static let taxIDMatching =
        #"{"expectedVersion":0,"settings":{"matchFields":[{"source":"tax_id","economic":"corporateIdentificationNumber","required":false},{"source":"email","economic":"email","required":false}]}}"#

    @Test("over PostgreSQL: the preview answers what a match-field change would do in the key's tenant only, and saves nothing")
    func previewOverPostgres() async throws {
        try await ServerHarness.run { harness in
            try await harness.observe(.economic(700), ["name": "Cafe Nord", "corporateIdentificationNumber": "DK12345678", "currency": "DKK"])
            try await harness.observe(.stripe("cus_cafe"), ["name": "Cafe Nord ApS", "tax_id": "DK 1234 5678"])
            try await harness.observe(.stripe("cus_globex"), ["name": "Globex Buyer", "tax_id": "DK 1234 5678"], tenant: harness.globex)
            try await harness.settle()
            let before = try await harness.events()

            try await harness.withClient { client throws in
                let preview = try await client.post("/api/v1/settings/preview", key: harness.acmeKey, json: Self.taxIDMatching)
                #expect(preview.status == .ok)
                let body = try preview.json()
                let summary = try #require(body["summary"] as? [String: Any])
                #expect(summary["customers"] as? Int == 1, "globex's customer is not in acme's preview")
                #expect(summary["matchChanged"] as? Int == 1 && summary["wouldLink"] as? Int == 1)
                let customers = try #require(body["customers"] as? [[String: Any]])
                #expect(customers.count == 1 && body["changed"] as? Int == 1)
                let recorded = try #require(customers.first?["recorded"] as? [String: Any])
                let proposed = try #require(customers.first?["proposed"] as? [String: Any])
                #expect(recorded["outcome"] as? String == "matchFailed")
                #expect(proposed["outcome"] as? String == "linked")
                #expect((proposed["partner"] as? [String: Any])?["id"] as? String == "700")
                #expect(proposed["rule"] as? String == "tax_id ↔ corporateIdentificationNumber")

                let invalid = try await client.post(
                    "/api/v1/settings/preview", key: harness.acmeKey, json: #"{"settings":{"matchFields":[],"homeCountry":"XX"}}"#)
                #expect(invalid.status == .unprocessableContent)
                #expect(invalid.errorCode == "invalid_settings")
                #expect(invalid.errorMessage?.contains("XX") == true, "every problem is named, not only the first")
                let unreadable = try await client.post(
                    "/api/v1/settings/preview", key: harness.acmeKey, json: #"{"settings":{"matchFields":"email"}}"#)
                #expect(unreadable.status == .unprocessableContent)
                #expect(unreadable.errorMessage?.contains("matchFields") == true)
                let anonymous = try await client.post("/api/v1/settings/preview", json: Self.taxIDMatching)
                #expect(anonymous.status == .unauthorized)
            }
            #expect(try await harness.events() == before, "a preview writes nothing")
            #expect(try await harness.handler.settings(of: harness.acme).version == 0)
        }
    }

    @Test("the settings page previews the form's settings, then saves nothing")
    func previewOnTheSettingsPage() async throws {
        try await MemoryHarness.run { harness in
            try await harness.observe(.economic(700), ["name": "Cafe Nord", "corporateIdentificationNumber": "DK12345678", "currency": "DKK"])
            try await harness.observe(.stripe("cus_cafe"), ["name": "Cafe Nord ApS", "tax_id": "DK 1234 5678"])
            try await harness.settle()
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let page = try await client.get("/ui/settings", cookie: cookie)
                #expect(page.text.contains("formaction=\"/ui/settings/preview\""))
                let token = try #require(page.csrfToken)
                func form(match: String) -> [(String, String)] {
                    [
                        ("_csrf", token), ("expected_version", "0"), ("match_fields", match), ("numbering", "economic"),
                        ("write_back_key", ""), ("payment_terms", "1"), ("customer_group", "1"), ("currency", "DKK"), ("layout", ""),
                        ("vat_mode", "by_country"), ("vat_domestic", "1"), ("vat_eu", "2"), ("vat_abroad", "3"), ("home_country", "DK"),
                        ("mappings", "name -> name\r\nemail -> email"), ("create_policy", "automatic"), ("conflict_policies", ""),
                        ("empty_overwrites", ""),
                    ]
                }
                let preview = try await client.postForm(
                    "/ui/settings/preview", form(match: "tax_id = corporateIdentificationNumber"), cookie: cookie)
                #expect(preview.status == .ok)
                #expect(preview.text.contains("Preview: what these settings would change"))
                #expect(preview.text.contains("Of 1 source customers, 1 would match differently, 1 would be linked"))
                #expect(preview.text.contains("tax_id = corporateIdentificationNumber"), "the form comes back as typed")
                let invalid = try await client.postForm("/ui/settings/preview", form(match: "fax = email"), cookie: cookie)
                #expect(invalid.status == .unprocessableContent)
                #expect(invalid.text.contains("Unknown source field &#39;fax&#39;"))
            }
            #expect(try await harness.handler.settings(of: harness.acme).version == 0, "a preview saves nothing")
        }
    }
}
