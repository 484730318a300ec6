import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import SyncDomain
import Testing

/// The settings page edits field mappings one row per e-conomic field: the sources chosen from lists (or typed, for
/// metadata), what the field expects, and a warning next to a source holding another kind of value.
@Suite("the mapping editor", .timeLimit(.minutes(5)))
struct MappingEditorTests {
    @Test("a row per e-conomic field shows the saved sources; choosing saves them; a mismatch is warned about next to its row")
    func editRows() async throws {
        try await MemoryHarness.run { harness in
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let page = try await client.get("/ui/settings", cookie: cookie)
                #expect(!page.text.contains(#"<textarea name="mappings""#))
                #expect(page.text.contains(#"<select name="map[name]" aria-label="Source field for name">"#))
                #expect(page.text.contains(#"<option value="name" selected>name</option>"#), "the default name -> name is chosen")
                #expect(page.text.contains("<th scope=\"row\">email</th><td class=\"muted\">an e-mail address, up to 255 characters</td>"))
                #expect(page.text.contains("a number from e-conomic&#39;s lists, up to 9 characters; required"))
                #expect(!page.text.contains("class=\"warning\""), "the defaults fit their fields")

                let token = try #require(page.csrfToken)
                var form: [(String, String)] = [
                    ("_csrf", token), ("expected_version", "0"), ("match_fields", "email = email"), ("numbering", "economic"),
                    ("write_back_key", ""), ("payment_terms", "1"), ("customer_group", "1"), ("currency", "DKK"), ("layout", ""),
                    ("vat_mode", "by_country"), ("vat_domestic", "1"), ("vat_eu", "2"), ("vat_abroad", "3"), ("home_country", "DK"),
                    ("create_policy", "automatic"), ("conflict_policies", ""), ("empty_overwrites", ""),
                ]
                for field in EconomicField.allCases where field.spec.isMappable {
                    form += [("map[\(field.rawValue)]", ""), ("map2[\(field.rawValue)]", ""), ("map_other[\(field.rawValue)]", "")]
                }
                func set(_ key: String, _ value: String) { form[form.firstIndex { $0.0 == key }!].1 = value }
                set("map[name]", "email")
                set("map[address]", "address.line1")
                set("map2[address]", "address.line2")
                set("map_other[website]", "metadata.site")
                set("map[email]", "email")

                let saved = try await client.postForm("/ui/settings", form, cookie: cookie)
                #expect(saved.status == .seeOther, "\(saved.text)")
                let settings = try await harness.handler.settings(of: harness.acme)
                #expect(
                    Set(settings.fieldMappings) == [
                        FieldMapping("email", to: "name"), FieldMapping(sources: ["address.line1", "address.line2"], economic: "address"),
                        FieldMapping("email", to: "email"), FieldMapping("metadata.site", to: "website"),
                    ])

                let after = try await client.get("/ui/settings", cookie: cookie).text
                #expect(after.contains(#"<option value="address.line2" selected>address.line2</option>"#))
                #expect(after.contains(#"name="map_other[website]" value="metadata.site""#))
                let row = try #require(after.range(of: #"<th scope="row">name</th>"#))
                let warning = try #require(after.range(of: "email holds an e-mail address, but name expects text."))
                let next = try #require(after.range(of: #"<th scope="row">currency</th>"#))
                #expect(row.upperBound < warning.lowerBound && warning.upperBound < next.lowerBound, "the warning sits in the name row")

                // A refused form comes back with the rows as chosen.
                set("expected_version", "0")
                set("map[city]", "address.city")
                let refused = try await client.postForm("/ui/settings", form, cookie: cookie)
                #expect(refused.status == .conflict || refused.status == .unprocessableContent, "stale version")
                #expect(refused.text.contains(#"<select name="map[city]" aria-label="Source field for city"><option value="">(none)</option>"#))
                #expect(refused.text.contains(#"<option value="address.city" selected>address.city</option>"#))
            }
        }
    }
}
