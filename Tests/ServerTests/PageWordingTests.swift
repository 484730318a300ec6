import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import SyncDomain
import SyncEngine
import Testing

/// What issue 12's wording list asks of the pages: attention over zeros, a 404 that keeps the navigation, a typed
/// value never lost, and an action that did nothing not shown as a success.
@Suite("pages a bookkeeper reads without help", .timeLimit(.minutes(5)))
struct PageWordingTests {
    @Test("the overview puts what needs attention first, only when there is some, and dims the zeros")
    func overviewAttention() async throws {
        try await MemoryHarness.run { harness in
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let quiet = try await client.get("/ui", cookie: cookie).text
                #expect(quiet.contains("Nothing needs your attention"))
                #expect(!quiet.contains("Needs your attention</h2>"))
                #expect(quiet.contains(#"<a href="/ui/synchronised" class="zero"><b>0</b>synchronised</a>"#))
            }
            try await WebUITests.seed(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let busy = try await client.get("/ui", cookie: cookie).text
                #expect(busy.contains("Needs your attention</h2>"))
                #expect(busy.contains(#"<a href="/ui/conflicts" class="attention"><b>1</b>pair in conflict: choose the values</a>"#), "\(busy)")
                #expect(!busy.contains("Nothing needs your attention"))
                let attention = try #require(busy.range(of: "Needs your attention"))
                let rest = try #require(busy.range(of: "Everything else"))
                #expect(attention.lowerBound < rest.lowerBound)
            }
        }
    }

    @Test("an address under /ui that is no page: 404 with the navigation and the session's logout; signed out: the login link")
    func notFoundKeepsNavigation() async throws {
        try await MemoryHarness.run { harness in
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let missing = try await client.get("/ui/no-such-page/at/all", cookie: cookie)
                #expect(missing.status == .notFound)
                #expect(missing.text.contains("There is no such page."))
                #expect(missing.text.contains(#"<a href="/ui/conflicts">Conflicts</a>"#), "the navigation stays")
                #expect(missing.text.contains(#"action="/logout""#))
                let refused = try await client.postForm("/ui/links/not-a-link/stop", [("_csrf", try #require(missing.csrfToken))], cookie: cookie)
                #expect(refused.text.contains(#"<a href="/ui/conflicts">Conflicts</a>"#), "an error inside a page keeps it too")
                #expect(try await client.get("/ui/no-such-page").status == .seeOther, "signed out: to the login page first")
            }
        }
    }

    @Test("a value typed in a conflict's 'Or use' box is the choice even when another button was left selected")
    func typedValueWins() async throws {
        try await MemoryHarness.run { harness in
            try await WebUITests.seed(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let conflicts = try await client.get("/ui/conflicts", cookie: cookie)
                let path = try #require(conflicts.formAction(#"/ui/conflicts/[^"]+/resolve"#))
                let resolved = try await client.postForm(
                    path, [("_csrf", try #require(conflicts.csrfToken)), ("choice[city]", "source"), ("value[city]", "Kolding")], cookie: cookie)
                #expect(resolved.flash?.hasPrefix("notice: ") == true, "\(resolved.flash ?? "")")
            }
            let events = try await harness.events()
            #expect(events.contains { if case .conflictResolved(let e) = $0 { e.resultingValues["city"] == "Kolding" } else { false } })
        }
    }

    @Test("'create partners for all' that finds nothing to do says so as information, not as a success")
    func nothingDoneIsInformation() async throws {
        try await MemoryHarness.run { harness in
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let token = try #require(try await client.get("/ui/unpartnered?side=economic", cookie: cookie).csrfToken)
                let nothing = try await client.postForm(
                    "/ui/unpartnered/economic/create-partners", [("_csrf", token), ("numbering", "sameAsSource")], cookie: cookie)
                #expect(nothing.flash == "info: No customer needed a partner.")
                let shown = try await client.get(try #require(nothing.headers[.location]), cookie: cookie + "; " + (nothing.flashCookie ?? ""))
                #expect(shown.text.contains(#"<p class="info" role="status">No customer needed a partner.</p>"#))
            }
        }
    }

    @Test("unpartnered lists: sub-tabs with counts, one primary action a row with the rest behind it, numbering choices that fit the side")
    func unpartneredRows() async throws {
        try await MemoryHarness.run { harness in
            try await WebUITests.seed(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let source = try await client.get("/ui/unpartnered?side=source", cookie: cookie).text
                #expect(source.contains(#"<a href="/ui/unpartnered?side=source" aria-current="page">Stripe and file customers <span class="tag">2</span></a>"#))
                #expect(source.contains(#"<a href="/ui/unpartnered?side=economic">e-conomic customers <span class="tag">1</span></a>"#))
                #expect(source.contains("<details><summary>Other actions</summary>"))
                #expect(!source.contains("the number it has in e-conomic"), "a Stripe customer's partner is not numbered from e-conomic")
                let economic = try await client.get("/ui/unpartnered?side=economic", cookie: cookie).text
                #expect(economic.contains("the number it has in e-conomic"))
                #expect(!economic.contains("e-conomic assigns the number"), "an e-conomic customer's file partner takes a number, e-conomic assigns none")
            }
        }
    }

    @Test("a long name is cut to one line in the lists, the whole name on hover")
    func longNames() async throws {
        try await MemoryHarness.run { harness in
            let long = "Den Jyske Cykel- og Knallertforhandlerforening af 1932, Afdeling Vest & Omegn ApS"
            try await harness.observe(.stripe("cus_long"), ["name": long, "email": "long@example.com"])
            try await harness.settle()
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let list = try await client.get("/ui/customers", cookie: cookie).text
                let escaped = "Den Jyske Cykel- og Knallertforhandlerforening af 1932, Afdeling Vest &amp; Omegn ApS"
                #expect(list.contains(#"<a href="/ui/customers/stripe/cus_long" class="name" title="\#(escaped)">\#(escaped)</a>"#), "\(list)")
                #expect(list.contains("a.name{display:inline-block;max-width:32ch;overflow:hidden;text-overflow:ellipsis"))
            }
        }
    }

    @Test("a refused action names the customers and the pair, never an id")
    func refusalsNameCustomers() async throws {
        try await MemoryHarness.run { harness in
            try await WebUITests.seed(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                func withoutIDs(_ text: String?) -> Bool {
                    guard let text else { return false }
                    return !text.contains("stripe:") && !text.contains("economic:") && !text.contains("cus_")
                        && text.range(of: #"\blink\b"#, options: .regularExpression) == nil
                        && text.range(of: "[0-9a-f]{8}-[0-9a-f]{4}", options: .regularExpression) == nil
                }
                let page = try await client.get("/ui/customers/stripe/cus_nomail", cookie: cookie)
                let taken = try await client.postForm(
                    "/ui/customers/stripe/cus_nomail/select-partner", [("_csrf", try #require(page.csrfToken)), ("partner", "1")], cookie: cookie)
                #expect(taken.flash?.hasPrefix("error: ") == true && taken.flash?.contains("Anna Jensen in e-conomic is already partnered with Anna Jensen in Stripe; unlink them first.") == true, "\(taken.flash ?? "")")
                #expect(withoutIDs(taken.flash), "\(taken.flash ?? "")")

                let synchronised = try await client.get("/ui/synchronised", cookie: cookie)
                let stopPath = try #require(synchronised.formAction(#"/ui/links/[^"]+/stop"#))
                let token = try #require(synchronised.csrfToken)
                #expect(try await client.postForm(stopPath, [("_csrf", token)], cookie: cookie).flash == "notice: Synchronisation stopped.")
                let again = try await client.postForm(stopPath, [("_csrf", token)], cookie: cookie)
                #expect(again.flash == "error: Synchronisation of Anna Jensen in Stripe and Anna Jensen in e-conomic is already stopped.", "\(again.flash ?? "")")
                let resolvePath = stopPath.replacingOccurrences(of: "/ui/links/", with: "/ui/conflicts/").replacingOccurrences(of: "/stop", with: "/resolve")
                let notOpen = try await client.postForm(resolvePath, [("_csrf", token), ("choice[email]", "source")], cookie: cookie)
                #expect(notOpen.flash?.hasPrefix("error: Anna Jensen in Stripe and Anna Jensen in e-conomic no longer disagree on email") == true, "\(notOpen.flash ?? "")")
                #expect(withoutIDs(notOpen.flash))
            }
        }
    }

    @Test("a conflict's message shows next to its pair while the pair is listed, at the top once it is gone")
    func conflictMessageByItsPair() async throws {
        try await MemoryHarness.run { harness in
            try await WebUITests.seed(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let conflicts = try await client.get("/ui/conflicts", cookie: cookie)
                let path = try #require(conflicts.formAction(#"/ui/conflicts/[^"]+/resolve"#))
                let link = path.split(separator: "/")[2]
                let token = try #require(conflicts.csrfToken)

                let refused = try await client.postForm(path, [("_csrf", token), ("choice[city]", "neither")], cookie: cookie)
                #expect(refused.headers[.location] == "/ui/conflicts#conflict-\(link)")
                let shown = try await client.get("/ui/conflicts", cookie: cookie + "; " + (try #require(refused.flashCookie))).text
                let section = try #require(shown.range(of: #"<section class="card" id="conflict-\#(link)">"#))
                let message = try #require(shown.range(of: #"<p class="error" role="alert">Unknown choice for city.</p>"#), "\(shown)")
                let form = try #require(shown.range(of: #"<form method="post" action="\#(path)">"#))
                #expect(section.upperBound < message.lowerBound && message.upperBound <= form.lowerBound, "inside the pair's card, above its form")
                #expect(shown.components(separatedBy: "Unknown choice for city.").count == 2, "once, not also at the top")

                let resolved = try await client.postForm(path, [("_csrf", token), ("choice[city]", "source")], cookie: cookie)
                let after = try await client.get("/ui/conflicts", cookie: cookie + "; " + (try #require(resolved.flashCookie))).text
                let main = try #require(after.range(of: "<main>"))
                let notice = try #require(after.range(of: "Conflict resolved; both sides get the chosen values."))
                #expect(main.upperBound <= notice.lowerBound && !after.contains("conflict-\(link)"), "the pair is gone: the message leads the page")
            }
        }
    }

    @Test("the five lists are one sync screen: tabs with each section's count, the current one marked, what needs a person highlighted")
    func syncScreenTabs() async throws {
        try await MemoryHarness.run { harness in
            try await WebUITests.seed(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                for (path, current) in [
                    ("/ui/unpartnered", "Unpartnered"), ("/ui/conflicts", "Conflicts"), ("/ui/synchronised", "Synchronised"),
                    ("/ui/match-failures", "Match failures"), ("/ui/outbound", "Outbound problems"),
                ] {
                    let page = try await client.get(path, cookie: cookie).text
                    let tabs = try #require(page.range(of: #"<nav class="tabs sync" aria-label="Synchronisation">.*?</nav>"#, options: .regularExpression))
                    let nav = String(page[tabs])
                    #expect(nav.components(separatedBy: "<a href=").count == 6, "five tabs on \(path)")
                    #expect(nav.contains(#"aria-current="page">\#(current) <span"#), "\(path) is marked current: \(nav)")
                    #expect(nav.contains(#">Conflicts <span class="tag attention">1</span></a>"#), "one pair disagrees, highlighted: \(nav)")
                    #expect(nav.contains(#">Synchronised <span class="tag">1</span></a>"#))
                    #expect(nav.contains(#">Unpartnered <span class="tag">3</span></a>"#), "\(nav)")
                    #expect(nav.contains(#">Outbound problems <span class="tag">0</span></a>"#))
                }
            }
        }
    }

    @Test("the unpartnered and synchronised lists and the API search by name, e-mail or id; nothing found says so")
    func listSearch() async throws {
        try await MemoryHarness.run { harness in
            try await WebUITests.seed(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let found = try await client.get("/ui/unpartnered?side=source&search=no+mail", cookie: cookie).text
                #expect(found.contains(#"<input type="search" name="search" value="no mail""#))
                #expect(found.contains("/ui/customers/stripe/cus_nomail") && !found.contains("/ui/customers/stripe/cus_evil"), "\(found)")
                #expect(found.contains(#"<a href="/ui/unpartnered?side=source">Show all</a>"#))
                #expect(found.contains(#"name="return_to" value="/ui/unpartnered?side=source&amp;search=no%20mail""#), "actions come back to the search")

                let pairs = try await client.get("/ui/synchronised?search=anna%40example", cookie: cookie).text
                #expect(pairs.contains("/ui/customers/stripe/cus_anna"))
                let none = try await client.get("/ui/synchronised?search=nobody", cookie: cookie).text
                #expect(none.contains("Nothing here matches “nobody”.") && !none.contains("/ui/customers/stripe/cus_anna"))
                #expect(try await client.get("/ui/match-failures?search=nobody", cookie: cookie).text.contains("Nothing here matches"))
                let conflicts = try await client.get("/ui/conflicts?search=anna", cookie: cookie).text
                #expect(conflicts.contains(#"id="conflict-"#) && conflicts.contains(#"name="return_to" value="/ui/conflicts?search=anna#conflict-"#), "\(conflicts)")
                let noConflict = try await client.get("/ui/conflicts?search=nobody", cookie: cookie).text
                #expect(noConflict.contains("Nothing here matches “nobody”.") && !noConflict.contains(#"id="conflict-"#))
                let apiConflicts = try await client.request(.get, "/api/v1/conflicts?search=ANNA%40EXAMPLE", key: harness.acmeKey)
                #expect(apiConflicts.status == .ok && apiConflicts.text.contains(#""total":1"#), "\(apiConflicts.text)")
                #expect(try await client.request(.get, "/api/v1/conflicts?search=nobody", key: harness.acmeKey).text.contains(#""total":0"#))

                let api = try await client.request(.get, "/api/v1/unpartnered?side=source&search=NO%20MAIL", key: harness.acmeKey)
                #expect(api.status == .ok && api.text.contains(#""total":1"#), "\(api.text)")
                let tooLong = try await client.request(.get, "/api/v1/links?search=" + String(repeating: "x", count: 201), key: harness.acmeKey)
                #expect(tooLong.status == .badRequest || tooLong.status == .unprocessableContent, "\(tooLong.status)")
            }
        }
    }
}
