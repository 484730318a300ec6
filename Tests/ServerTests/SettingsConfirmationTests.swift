import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import SyncDomain
import SyncEngine
import Testing

/// A settings change that would change more customers than `confirmChangesAbove` is saved only once confirmed: the API
/// answers 409 `confirmation_required` until `"confirm": true`, the page shows the preview with a button that confirms.
@Suite("settings changes that touch many customers are confirmed first", .timeLimit(.minutes(5)))
struct SettingsConfirmationTests {
    /// Two Stripe customers without an e-mail, so their match (by e-mail, required) failed, whose tax ids are their
    /// e-conomic partners' CVR numbers; and one customer matched by e-mail.
    static func twoMatchFailures(_ harness: ServerHarness) async throws {
        try await harness.observe(.economic(700), ["name": "Cafe Nord", "corporateIdentificationNumber": "DK12345678", "currency": "DKK"])
        try await harness.observe(.economic(701), ["name": "Bager Syd", "corporateIdentificationNumber": "DK87654321", "currency": "DKK"])
        try await harness.observe(.economic(702), ["name": "Carl", "email": "carl@example.com", "currency": "DKK"])
        try await harness.observe(.stripe("cus_cafe"), ["name": "Cafe Nord ApS", "tax_id": "DK 1234 5678"])
        try await harness.observe(.stripe("cus_bager"), ["name": "Bager Syd ApS", "tax_id": "DK 8765 4321"])
        try await harness.observe(.stripe("cus_carl"), ["name": "Carl", "email": "carl@example.com"])
        try await harness.settle()
    }

    /// The settings matching by tax id first, then e-mail (both optional): the two match failures would be linked.
    static func taxIDMatching(_ harness: ServerHarness, confirm: Bool?) async throws -> String {
        var settings = try await harness.handler.settings(of: harness.acme)
        settings.matchFields = [
            MatchField(source: "tax_id", economic: "corporateIdentificationNumber", required: false),
            MatchField(source: "email", economic: "email", required: false),
        ]
        let encoded = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        return #"{"expectedVersion":\#(settings.version),"settings":\#(encoded)\#(confirm.map { #","confirm":\#($0)"# } ?? "")}"#
    }

    /// `PUT /api/v1/settings` of ``taxIDMatching(_:confirm:)``.
    static func put(_ client: TestClient, _ harness: ServerHarness, confirm: Bool?) async throws -> TestResponse {
        try await client.request(.put, "/api/v1/settings", key: harness.acmeKey, json: try await taxIDMatching(harness, confirm: confirm))
    }

    @Test("the API refuses a change above the threshold with 409 confirmation_required, saving nothing, and saves it confirmed")
    func apiAsksForConfirmation() async throws {
        try await ServerHarness.run(confirmChangesAbove: 1) { harness in
            try await Self.twoMatchFailures(harness)
            try await harness.withClient { client throws in
                let unconfirmed = try await Self.put(client, harness, confirm: nil)
                #expect(unconfirmed.status == .conflict)
                #expect(unconfirmed.errorCode == "confirmation_required")
                #expect(unconfirmed.errorMessage?.contains("would change 2 customers (more than 1)") == true, "\(unconfirmed.text)")
                #expect(unconfirmed.errorMessage?.contains("2 would be linked") == true)
                #expect(try await harness.handler.settings(of: harness.acme).version == 0, "nothing saved")

                let declined = try await Self.put(client, harness, confirm: false)
                #expect(declined.status == .conflict && declined.errorCode == "confirmation_required")

                let confirmed = try await Self.put(client, harness, confirm: true)
                #expect(confirmed.status == .ok, "\(confirmed.text)")
                #expect(try await harness.handler.settings(of: harness.acme).version == 1)
            }
        }
    }

    @Test("a change at or below the threshold, or one that changes no rule, is saved without confirmation")
    func smallChangesNeedNone() async throws {
        try await ServerHarness.run(confirmChangesAbove: 2) { harness in
            try await Self.twoMatchFailures(harness)
            try await harness.withClient { client throws in
                let saved = try await Self.put(client, harness, confirm: nil)
                #expect(saved.status == .ok, "2 customers is not more than 2: \(saved.text)")
                // The same rules again (a new version only).
                let settings = try await harness.handler.settings(of: harness.acme)
                let same = #"{"expectedVersion":1,"settings":\#(String(decoding: try JSONEncoder().encode(settings), as: UTF8.self))}"#
                #expect(try await client.request(.put, "/api/v1/settings", key: harness.acmeKey, json: same).status == .ok)
            }
        }
    }

    @Test("the settings page shows the preview and asks to confirm; the confirming button saves it")
    func pageAsksForConfirmation() async throws {
        try await ServerHarness.run(confirmChangesAbove: 1) { harness in
            try await Self.twoMatchFailures(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let page = try await client.get("/ui/settings", cookie: cookie)
                let token = try #require(page.csrfToken)
                var form: [(String, String)] = [
                    ("_csrf", token), ("expected_version", "0"), ("match_fields", "tax_id = corporateIdentificationNumber (optional)\r\nemail = email (optional)"), ("numbering", "economic"),
                    ("write_back_key", ""), ("payment_terms", "1"), ("customer_group", "1"), ("currency", "DKK"), ("layout", ""),
                    ("vat_mode", "by_country"), ("vat_domestic", "1"), ("vat_eu", "2"), ("vat_abroad", "3"), ("home_country", "DK"),
                    ("mappings", "name -> name\r\nemail -> email"), ("create_policy", "automatic"),
                    ("conflict_policies", ""), ("empty_overwrites", ""),
                ]
                // Invalid settings are refused with their problems, never offered for confirmation.
                let invalid = form.map { $0.0 == "home_country" ? ($0.0, "XX") : $0 }
                let refused = try await client.postForm("/ui/settings", invalid, cookie: cookie)
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("XX") && !refused.text.contains("Not saved yet: this change would change"))

                let asked = try await client.postForm("/ui/settings", form, cookie: cookie)
                #expect(asked.status == .ok)
                #expect(asked.text.contains("Not saved yet: this change would change 2 customers"), "\(asked.text)")
                #expect(asked.text.contains("Preview: what these settings would change"))
                #expect(asked.text.contains(#"<input type="hidden" name="confirm" value="yes">"#))
                #expect(asked.text.contains("Save and apply to 2 customers"))
                #expect(try await harness.handler.settings(of: harness.acme).version == 0, "nothing saved")

                form.append(("confirm", "yes"))
                let saved = try await client.postForm("/ui/settings", form, cookie: cookie)
                #expect(saved.status == .seeOther)
                #expect(try await harness.handler.settings(of: harness.acme).version == 1)
            }
        }
    }
}
