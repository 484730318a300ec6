import EconomicSandbox
import Foundation
import HTTPTypes
import HummingbirdTesting
import SandboxTestSupport
import Server
import SyncDomain
import SyncEngine
import Testing

/// Defaults for new customers come from the tenant's e-conomic agreement: the settings page offers its lists, and a
/// default the agreement does not offer is refused on save (API and page) instead of failing every automatic create
/// later.
@Suite("settings defaults from e-conomic's lists", .timeLimit(.minutes(5)))
struct SettingsDefaultsTests {
    @Test("the API refuses defaults the agreement does not offer, naming what it offers; unchanged defaults are not asked about")
    func api() async throws {
        try await LiveEconomicSandbox.run { sandbox in
            try await ServerHarness.run { harness in
                try await harness.withClient { client throws in
                    let key = harness.acmeKey
                    try await Self.connect(client, key: key, to: sandbox)
                    func put(_ version: Int, _ settings: String) async throws -> TestResponse {
                        try await client.request(.put, "/api/v1/settings", key: key, json: #"{"expectedVersion":\#(version),"settings":\#(settings)}"#)
                    }
                    func defaults(_ terms: Int, zone: Int = 1, layout: String = "19") -> String {
                        #"{"matchFields":[{"source":"email","economic":"email"}],"defaults":{"paymentTerms":\#(terms),"customerGroup":1,"currency":"DKK","layout":\#(layout),"vatZone":{"fixed":{"zone":\#(zone)}}}}"#
                    }

                    let refused = try await put(0, defaults(42, zone: 9, layout: "77"))
                    #expect(refused.status == .unprocessableContent)
                    #expect(try refused.json()["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "invalid_settings")
                    let message = try #require(refused.errorMessage)
                    #expect(message.contains("Payment terms 42: no payment terms with this number; e-conomic has 1 Netto 8 dage"), "\(message)")
                    #expect(message.contains("VAT zone 9: no VAT zone with this number"), "\(message)")
                    #expect(message.contains("Invoice layout 77"), "\(message)")
                    #expect(try await harness.handler.settings(of: harness.acme).version == 0, "nothing was saved")

                    let saved = try await put(0, defaults(5))
                    #expect(saved.status == .ok, "\(saved.text)")
                    #expect(try await harness.handler.settings(of: harness.acme).defaults.paymentTerms == 5)

                    // e-conomic away: changed defaults cannot be checked and are not saved; anything else still can be.
                    try await Self.connect(client, key: key, to: "http://127.0.0.1:9")
                    let away = try await put(1, defaults(2))
                    #expect(away.status == .badGateway)
                    #expect(away.errorMessage?.contains("could not be checked against e-conomic") == true)
                    let other = try await put(1, #"{"matchFields":[{"source":"email","economic":"email"}],"createPolicy":"manual","defaults":{"paymentTerms":5,"customerGroup":1,"currency":"DKK","layout":19,"vatZone":{"fixed":{"zone":1}}}}"#)
                    #expect(other.status == .ok, "\(other.text)")
                    #expect(try await harness.handler.settings(of: harness.acme).createPolicy == .manual)
                }
            }
        }
    }

    @Test("the settings page lists the agreement's payment terms, groups, VAT zones, currencies and layouts, and refuses one it lacks")
    func page() async throws {
        try await LiveEconomicSandbox.run { sandbox in
            try await ServerHarness.run { harness in
                try await harness.withClient { client throws in
                    let cookie = try await client.login(harness.acmeKey)
                    let typed = try await client.get("/ui/settings", cookie: cookie).text
                    #expect(typed.contains("<input name=\"payment_terms\"") && typed.contains("Connect e-conomic"))

                    try await Self.connect(client, key: harness.acmeKey, to: sandbox)
                    let page = try await client.get("/ui/settings", cookie: cookie)
                    #expect(page.text.contains("<select name=\"payment_terms\" id=\"payment_terms\">"))
                    #expect(page.text.contains("<option value=\"1\" selected>1 — Netto 8 dage</option>"))
                    #expect(page.text.contains("<option value=\"5\">5 — Netto 30 dage</option>"))
                    #expect(page.text.contains("<option value=\"EUR\">EUR — Euro</option>"))
                    #expect(page.text.contains("19 — DK. std. m. bankoplys. 1.5") && page.text.contains("1 — Danske"))
                    let token = try #require(page.csrfToken)

                    let refused = try await client.postForm(
                        "/ui/settings",
                        [
                            ("_csrf", token), ("expected_version", "0"), ("match_fields", "email = email"), ("numbering", "economic"),
                            ("write_back_key", ""), ("payment_terms", "42"), ("customer_group", "1"), ("currency", "DKK"), ("layout", ""),
                            ("vat_mode", "by_country"), ("vat_domestic", "1"), ("vat_eu", "2"), ("vat_abroad", "3"), ("home_country", "DK"),
                            ("mappings", "name -> name"), ("create_policy", "manual"), ("conflict_policies", ""), ("empty_overwrites", ""),
                        ], cookie: cookie)
                    #expect(refused.status == .unprocessableContent)
                    #expect(refused.text.contains("Payment terms 42: no payment terms with this number"))
                    #expect(refused.text.contains("<option value=\"42\" selected>42 (not in e-conomic)</option>"), "the form comes back as chosen")
                    #expect(try await harness.handler.settings(of: harness.acme).version == 0)
                }
            }
        }
    }

    static func connect(_ client: TestClient, key: String, to baseURL: String) async throws {
        let connected = try await client.request(
            .put, "/api/v1/connections/economic", key: key,
            json: #"{"baseURL": "\#(baseURL)", "appSecretToken": "\#(SandboxConfiguration.defaultAppSecretToken)", "agreementGrantToken": "\#(SandboxConfiguration.defaultAgreementGrantToken)"}"#)
        #expect(connected.status == .ok, "\(connected.text)")
    }
}
