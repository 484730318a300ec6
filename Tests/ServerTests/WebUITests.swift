import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Projections
import Prometheus
import Server
import SyncDomain
import SyncEngine
import Testing

@Suite("web pages", .timeLimit(.minutes(5)))
struct WebUITests {
    /// A tenant with a bit of everything: a conflict, unpartnered customers on both sides, a match failure, a customer
    /// named `<script>`, and an abandoned outbound request.
    static func seed(_ harness: MemoryHarness) async throws {
        try await harness.manualCreation()
        let anna = CustomerRef.stripe("cus_anna")
        try await harness.observe(anna, ["name": "Anna Jensen", "email": "anna@example.com", "address.city": "Odense"])
        try await harness.observe(.economic(1), ["name": "Anna Jensen", "email": "anna@example.com", "city": "Vejle", "currency": "DKK"])
        try await harness.handler.selectPartner(source: anna, economic: .economic(1), tenant: harness.acme, metadata: MemoryHarness.user)
        try await harness.observe(.stripe("cus_evil"), ["name": "<script>alert('x')</script>", "email": "evil@example.com"])
        try await harness.observe(.stripe("cus_nomail"), ["name": "No Mail & Co"])
        try await harness.observe(.economic(2), ["name": "Economic Only", "email": "only@example.com", "currency": "DKK"])
        try await harness.settle()
    }

    @Test("login: a bad key stays on the login page, a good one sets an HttpOnly SameSite=Strict session; pages need it")
    func login() async throws {
        try await MemoryHarness.run { harness in
            try await harness.withClient { client throws in
                let anonymous = try await client.get("/ui")
                #expect(anonymous.status == .seeOther)
                #expect(anonymous.headers[.location] == "/login")
                #expect(try await client.get("/").headers[.location] == "/ui")
                let page = try await client.get("/login")
                #expect(page.status == .ok)
                #expect(page.text.contains("name=\"api_key\""))
                #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)

                let bad = try await client.submitLogin("ak_0123456789abcdef_wrong")
                #expect(bad.status == .unauthorized)
                #expect(bad.text.contains("not valid"))
                #expect(bad.headers[.setCookie] == nil)

                let cookie = try await client.login(harness.acmeKey)
                let overview = try await client.get("/ui", cookie: cookie)
                #expect(overview.status == .ok)
                #expect(overview.text.contains("acme"))

                let forged = try await client.get("/ui", cookie: "accord_session=djF8MDEyMzQ1Njc4OWFiY2RlZnxhY21lfDk5OTk5OTk5OTk.AAAA")
                #expect(forged.status == .seeOther)

                // Revoking the key ends its sessions.
                let keyID = String(harness.acmeKey.dropFirst(3).prefix(16))
                harness.apiKeys.revoke(keyID: keyID, tenant: harness.acme)
                let revoked = try await client.get("/ui", cookie: cookie)
                #expect(revoked.status == .seeOther)
                #expect(revoked.headers[.location] == "/login")
            }
        }
    }

    @Test("every page renders for a seeded tenant, with its data and CleanManager's actions")
    func pages() async throws {
        try await MemoryHarness.run { harness in
            try await Self.seed(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                func page(_ path: String) async throws -> String {
                    let response = try await client.get(path, cookie: cookie)
                    #expect(response.status == .ok, "\(path): \(response.status)")
                    #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                    return response.text
                }
                let overview = try await page("/ui")
                #expect(overview.contains("synchronised") && overview.contains("/webhooks/stripe/acme"))
                let conflicts = try await page("/ui/conflicts")
                #expect(conflicts.contains("Odense") && conflicts.contains("Vejle"))
                #expect(conflicts.contains(#"name="choice[city]" value="source""#))
                #expect(conflicts.contains("Anna Jensen"))
                #expect(conflicts.contains("One pair disagrees."), "the count is on the page")
                let source = try await page("/ui/unpartnered?side=source")
                #expect(source.contains("Create partners for all") && source.contains("Select partner") && source.contains("Don&#39;t synchronise"))
                #expect(source.contains("No Mail &amp; Co"))
                let economic = try await page("/ui/unpartnered?side=economic")
                #expect(economic.contains("Economic Only"))
                let synchronised = try await page("/ui/synchronised")
                #expect(synchronised.contains("paired by hand") && synchronised.contains(">Stop<") && synchronised.contains(">Unlink<"))
                let failures = try await page("/ui/match-failures")
                #expect(failures.contains("No Mail &amp; Co") && failures.contains("The match field &#39;email&#39; is empty"))
                #expect(failures.contains("One customer Accord could not match or map"), "the count is on the page")
                let customers = try await page("/ui/customers?search=anna")
                #expect(customers.contains("cus_anna") && !customers.contains("cus_nomail"))
                let customer = try await page("/ui/customers/stripe/cus_anna")
                #expect(customer.contains("History") && customer.contains("First seen in stripe") && customer.contains("CustomerObserved"))
                #expect(customer.contains("1 conflicting field"))
                let outbound = try await page("/ui/outbound")
                #expect(outbound.contains("Failed requests"))
                let settings = try await page("/ui/settings")
                #expect(settings.contains("email = email") && settings.contains(#"<option value="address.line2" selected>address.line2</option>"#))
                #expect(try await client.get("/ui/customers/stripe/cus_nobody", cookie: cookie).status == .notFound)
            }
        }
    }

    @Test("customer data is escaped: a customer named <script> never becomes markup")
    func escaping() async throws {
        try await MemoryHarness.run { harness in
            try await Self.seed(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                for path in ["/ui/unpartnered?side=source", "/ui/customers", "/ui/customers/stripe/cus_evil", "/ui/customers?search=%3Cscript%3E"] {
                    let text = try await client.get(path, cookie: cookie).text
                    #expect(text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "\(path)")
                    #expect(!text.contains("<script"), "\(path) contains a raw <script")
                }
                let linked = try await client.get("/ui?notice=Your%20account%20is%20locked&error=Call%20us", cookie: cookie).text
                #expect(!linked.contains("Your account is locked") && !linked.contains("Call us"), "a link cannot make a page show a message")
            }
        }
    }

    @Test("a form action works end to end: don't synchronise from the unpartnered list, then undo; a post without the token is refused")
    func excludeFromTheList() async throws {
        try await MemoryHarness.run { harness in
            try await Self.seed(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let list = try await client.get("/ui/unpartnered?side=source", cookie: cookie)
                let token = try #require(list.csrfToken)

                let forged = try await client.postForm("/ui/customers/stripe/cus_nomail/exclude", [("return_to", "/ui/unpartnered")], cookie: cookie)
                #expect(forged.status == .forbidden)
                #expect(forged.text.contains("reload the page"))

                let done = try await client.postForm(
                    "/ui/customers/stripe/cus_nomail/exclude", [("_csrf", token), ("return_to", "/ui/unpartnered?side=source")], cookie: cookie)
                #expect(done.status == .seeOther)
                let location = try #require(done.headers[.location])
                #expect(location == "/ui/unpartnered?side=source")
                #expect(done.flash?.hasPrefix("notice: ") == true && done.flash?.hasSuffix("is no longer synchronised.") == true, "\(done.flash ?? "")")
                let flashCookie = try #require(done.flashCookie)
                let after = try await client.get(location, cookie: cookie + "; " + flashCookie)
                #expect(after.text.contains("No Mail &amp; Co is no longer synchronised."), "feedback names the customer")
                #expect(after.text.components(separatedBy: "No Mail &amp; Co").count == 2, "an excluded customer is not unpartnered (named once: in the notice)")
                #expect(after.headers[values: .setCookie].contains { $0.hasPrefix("accord_flash=;") }, "the page clears the message")
                #expect(!(try await client.get(location, cookie: cookie).text.contains("is no longer synchronised")), "a reload does not repeat it")
                let otherSession = try await client.login(harness.acmeKey)
                #expect(
                    !(try await client.get(location, cookie: otherSession + "; " + flashCookie).text.contains("is no longer synchronised")),
                    "a message signed for one session is not shown in another")

                let again = try await client.postForm("/ui/customers/stripe/cus_nomail/exclude", [("_csrf", token)], cookie: cookie)
                #expect(again.headers[.location] == "/ui/customers/stripe/cus_nomail")
                #expect(again.flash?.hasPrefix("error: ") == true)
                let refusal = try await client.get("/ui/customers/stripe/cus_nomail", cookie: cookie + "; " + (again.flashCookie ?? ""))
                #expect(refusal.text.contains("already excluded"))
                #expect(refusal.text.contains(#"class="error" role="alert""#))

                let undone = try await client.postForm("/ui/customers/stripe/cus_nomail/include", [("_csrf", token)], cookie: cookie)
                #expect(undone.flash?.hasPrefix("notice: ") == true)
                let outside = try await client.postForm(
                    "/ui/customers/stripe/cus_nomail/exclude", [("_csrf", token), ("return_to", "https://evil.example/")], cookie: cookie)
                #expect(outside.headers[.location] == "/ui/customers/stripe/cus_nomail", "never redirects off-site")
            }
            let excluded = try await harness.events().filter { if case .customerExcluded = $0 { true } else { false } }
            #expect(excluded.count == 2)
        }
    }

    @Test("resolve a conflict, stop and unlink a pair, create a partner and select one, from the pages")
    func actions() async throws {
        try await MemoryHarness.run { harness in
            try await Self.seed(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let conflicts = try await client.get("/ui/conflicts", cookie: cookie)
                let token = try #require(conflicts.csrfToken)
                let path = try #require(conflicts.formAction(#"/ui/conflicts/[^"]+/resolve"#))
                let resolved = try await client.postForm(
                    path, [("_csrf", token), ("choice[city]", "value"), ("value[city]", "Kolding")], cookie: cookie)
                #expect(resolved.flash?.hasPrefix("notice: ") == true, "\(resolved.flash ?? "")")

                let created = try await client.postForm(
                    "/ui/customers/stripe/cus_evil/create-partner", [("_csrf", token), ("numbering", "explicit"), ("number", "500")], cookie: cookie)
                #expect(created.flash?.hasPrefix("notice: ") == true, "\(created.flash ?? "")")
                let badNumber = try await client.postForm(
                    "/ui/customers/stripe/cus_nomail/create-partner", [("_csrf", token), ("numbering", "explicit")], cookie: cookie)
                #expect(badNumber.flash?.hasPrefix("error: ") == true)

                let selected = try await client.postForm(
                    "/ui/customers/economic/2/select-partner", [("_csrf", token), ("partner", "stripe:cus_nomail")], cookie: cookie)
                #expect(selected.flash?.hasPrefix("notice: ") == true, "\(selected.flash ?? "")")

                let links = try await harness.reads.links(harness.acme, search: nil, limit: 10, offset: 0).rows
                #expect(links.count == 2)
                for link in links {
                    let stop = try await client.postForm("/ui/links/\(link.linkID)/stop", [("_csrf", token)], cookie: cookie)
                    #expect(stop.headers[.location] == "/ui/synchronised")
                    #expect(stop.flash == "notice: Synchronisation stopped.")
                    let unlink = try await client.postForm("/ui/links/\(link.linkID)/unlink", [("_csrf", token)], cookie: cookie)
                    #expect(unlink.flash?.hasPrefix("notice: ") == true)
                }
            }
            let events = try await harness.events()
            #expect(events.contains { if case .conflictResolved(let e) = $0 { e.resultingValues["city"] == "Kolding" } else { false } })
            #expect(events.filter { if case .partnerUnlinked = $0 { true } else { false } }.count == 2)
            #expect(events.contains { if case .economicWriteRequested(let e) = $0 { e.payload["customerNumber"] == "500" } else { false } })
        }
    }

    @Test("settings form: problems are listed and the form comes back as typed; a valid form saves; a stale one is refused")
    func settingsForm() async throws {
        try await MemoryHarness.run { harness in
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let page = try await client.get("/ui/settings", cookie: cookie)
                let token = try #require(page.csrfToken)
                #expect(page.text.contains(#"name="write_back_linked" value="yes" checked"#), "the write-back reaches linked customers by default")
                func form(version: String, match: String, currency: String, vat: String = "1") -> [(String, String)] {
                    [
                        ("_csrf", token), ("expected_version", version), ("match_fields", match), ("numbering", "economic"),
                        ("write_back_key", "economic_number"), ("payment_terms", "1"), ("customer_group", "1"), ("currency", currency),
                        ("layout", ""), ("vat_mode", "by_country"), ("vat_domestic", vat), ("vat_eu", "2"), ("vat_abroad", "3"),
                        ("home_country", "DK"), ("mappings", "name -> name\r\nemail -> email\r\naddress.city -> city"),
                        ("create_policy", "manual"), ("conflict_policies", "city = sourceWins"), ("empty_overwrites", ""),
                    ]
                }
                let invalid = try await client.postForm(
                    "/ui/settings", form(version: "0", match: "fax = email\nnonsense", currency: "kroner", vat: "x"), cookie: cookie)
                #expect(invalid.status == .unprocessableContent)
                #expect(invalid.text.contains("The settings were not saved"))
                #expect(invalid.text.contains("Match fields, line 2"))
                #expect(invalid.text.contains("VAT zone (domestic): &#39;x&#39; is not a whole number"))
                #expect(invalid.text.contains("Unknown source field &#39;fax&#39;"))
                #expect(invalid.text.contains("kroner"), "the form comes back as typed")
                // Each problem is next to the part it concerns: inside that part's fieldset, not only in a list above the form.
                func section(_ legend: String) -> String {
                    let start = invalid.text.range(of: "<legend>\(legend)</legend>")
                    let rest = start.map { String(invalid.text[$0.upperBound...]) } ?? ""
                    return String(rest[..<(rest.range(of: "</fieldset>")?.lowerBound ?? rest.endIndex)])
                }
                #expect(section("Matching").contains("Match fields, line 2") && section("Matching").contains("Unknown source field &#39;fax&#39;"))
                #expect(section("Defaults for new e-conomic customers").contains("VAT zone (domestic): &#39;x&#39; is not a whole number"))
                #expect(section("Defaults for new e-conomic customers").contains("kroner") && !section("Matching").contains("VAT zone"))
                #expect(invalid.text.contains("The settings were not saved: 4 problems, each shown next to what it concerns."), "\(invalid.text)")

                let saved = try await client.postForm("/ui/settings", form(version: "0", match: "email = email", currency: "EUR"), cookie: cookie)
                #expect(saved.status == .seeOther)
                #expect(saved.headers[.location] == "/ui/settings" && saved.flash == "notice: Settings saved.")
                let settings = try await harness.handler.settings(of: harness.acme)
                #expect(settings.version == 1 && settings.defaults.currency == "EUR" && settings.createPolicy == .manual)
                #expect(settings.numbering == .economicAssigns(writeBackMetadataKey: "economic_number"))
                #expect(!settings.writeBackToLinked, "the box was not ticked in the form posted")
                #expect(settings.conflictPolicies["city"] == .sourceWins)
                #expect(settings.fieldMappings.map(\.economic) == ["name", "email", "city"])

                let stale = try await client.postForm("/ui/settings", form(version: "0", match: "email = email", currency: "SEK"), cookie: cookie)
                #expect(stale.status == .conflict)
                #expect(stale.text.contains("changed meanwhile"))
                #expect(try await harness.handler.settings(of: harness.acme).defaults.currency == "EUR")
            }
        }
    }
}
