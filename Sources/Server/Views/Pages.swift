import Connectors
import EventStore
import Foundation
import Ingest
import Projections
import SyncDomain
import SyncEngine

/// The pages, as functions from data to ``HTML`` (every value from the data is escaped by ``HTML``).
enum Pages {
    /// A list's search box (a GET form back to the list), with "Show all" while a search is on.
    static func searchForm(_ path: String, search: String?, placeholder: String, hidden: [(String, String)] = []) -> HTML {
        let fields = HTML.join(hidden.map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\($0.1)\">" })
        let all: HTML = search == nil ? .empty : " <a href=\"\(path + WebPaths.query(hidden.map { ($0.0, Optional($0.1)) }))\">Show all</a>"
        return """
            <form method="get" action="\(path)" class="search">\(fields)<input type="search" name="search" value="\(search ?? "")" \
            placeholder="\(placeholder)" aria-label="Search"> <button>Search</button>\(all)</form>
            """
    }

    /// What a searched list says when nothing matches.
    static func nothingFound(_ search: String?) -> HTML {
        "<p>Nothing here matches “\(search ?? "")”. Try part of the name, the e-mail address or the id.</p>"
    }

    /// A system as a sentence names it: "e-conomic", "Stripe", "the customer file".
    static func systemName(_ system: System) -> String {
        switch system {
        case .economic: "e-conomic"
        case .stripe: "Stripe"
        case .file: "the customer file"
        }
    }

    // MARK: Links and small forms

    static func customerPath(_ ref: CustomerRef) -> String {
        "/ui/customers/\(WebPaths.segment(ref.system.rawValue))/\(WebPaths.segment(ref.id))"
    }

    /// A link to a customer's page, its name cut to one short line with the whole name on hover (`title`).
    static func customerLink(_ ref: CustomerRef, label: String? = nil) -> HTML {
        let text = label ?? ref.description
        return "<a href=\"\(customerPath(ref))\" class=\"name\" title=\"\(text)\">\(text)</a>"
    }

    static func customerLink(_ text: String?, names: [CustomerRef: String] = [:]) -> HTML {
        guard let text, let ref = CustomerRef(parsing: text) else { return "\(text ?? "–")" }
        let name = names[ref]
        return "\(customerLink(ref, label: name ?? ref.description))\(name == nil ? HTML.empty : " <span class=\"muted\">\(ref.description)</span>")"
    }

    /// A one-button form posting to `action`, returning to `back`.
    static func button(_ label: String, action: String, back: String, identity: TenantIdentity, primary: Bool = false, extra: HTML = .empty) -> HTML {
        """
        <form method="post" action="\(action)" class="inline">\(Layout.csrf(identity))<input type="hidden" name="return_to" value="\(back)">\(extra)<button\(primary ? HTML(" class=\"primary\"") : HTML.empty)>\(label)</button></form>
        """
    }

    /// The label of a customer's "Create partner": an e-conomic customer has two ways, so says which this is.
    static func createLabel(_ ref: CustomerRef) -> String {
        ref.system == .economic ? "Create partner in the file" : "Create partner"
    }

    /// An e-conomic customer's second way to get a partner: a Stripe customer, which carries its number in metadata (so
    /// no number to choose).
    static func createInStripe(_ customerPath: String, back: String, identity: TenantIdentity) -> HTML {
        button(
            "Create partner in Stripe", action: customerPath + "/create-partner", back: back, identity: identity,
            extra: "<input type=\"hidden\" name=\"target\" value=\"stripe\">")
    }

    /// The customer-number choices for creating partners of customers of `systems`: only those that make sense there
    /// — an e-conomic customer's file partner takes its number (or one typed in), a Stripe customer's e-conomic partner
    /// gets one from e-conomic (or one typed in; Stripe customers have no number), a file customer's may keep its own.
    static func numberingChoice(name: String = "numbering", for systems: Set<System> = [.stripe, .file]) -> HTML {
        var options: [HTML] = []
        if systems.contains(.stripe) || systems.contains(.file) { options.append("<option value=\"economicAssigns\">e-conomic assigns the number</option>") }
        if systems.contains(.file) { options.append("<option value=\"sameAsSource\">the number it has in the file</option>") }
        if systems.contains(.economic) { options.append("<option value=\"sameAsSource\">the number it has in e-conomic</option>") }
        options.append("<option value=\"explicit\">this number:</option>")
        return """
            <select name="\(name)" aria-label="Customer number">\(HTML.join(options))</select> \
            <input name="number" size="9" inputmode="numeric" aria-label="Explicit customer number">
            """
    }

    static func pager(path: String, query: [(String, String?)], offset: Int, limit: Int, total: Int) -> HTML {
        guard total > limit else { return .empty }
        var parts: [HTML] = []
        if offset > 0 {
            parts.append("<a href=\"\(path + WebPaths.query(query + [("offset", String(max(0, offset - limit)))]))\">← previous</a>")
        }
        parts.append("<span class=\"muted\">\(offset + 1)–\(min(offset + limit, total)) of \(total)</span>")
        if offset + limit < total {
            parts.append("<a href=\"\(path + WebPaths.query(query + [("offset", String(offset + limit))]))\">next →</a>")
        }
        return "<p>\(HTML.join(parts, separator: " "))</p>"
    }

    // MARK: Login

    static func login(error: String?, csrf: String) -> HTML {
        let message: HTML = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? .empty
        return Layout.bare(
            title: "Log in",
            body: """
                <section class="card"><h1>Log in</h1>\(message)
                <form method="post" action="/login"><input type="hidden" name="_csrf" value="\(csrf)">
                <label for="email">E-mail address</label><input type="email" id="email" name="email" size="40" autocomplete="username" required>
                <label for="password">Password</label><input type="password" id="password" name="password" size="40" autocomplete="current-password" required>
                <p><button class="primary">Log in</button></p></form>
                <details><summary>Log in with an API key instead</summary>
                <form method="post" action="/login"><input type="hidden" name="_csrf" value="\(csrf)"><label>API key <input type="password" name="api_key" size="60" autocomplete="off" required></label>
                <p class="muted">Make one with <code>accord tenant api-key create &lt;tenant&gt;</code>; an admin adds people on the Users page or with <code>accord tenant user add</code>.</p>
                <button>Log in with the key</button></form></details></section>
                """)
    }

    // MARK: Overview

    static func overview(_ o: TenantOverview, webhookURL: String, inbox: [WebhookInbox.Entry]) -> HTML {
        func card(_ number: Int, _ label: String, _ href: String, attention: Bool = false) -> HTML {
            let style: HTML = attention ? " class=\"attention\"" : number == 0 ? " class=\"zero\"" : .empty
            return "<a href=\"\(href)\"\(style)><b>\(number)</b>\(label)</a>"
        }
        // What a person must act on comes first, and only when there is some; the rest follows, zeros dimmed.
        let needed: [(Int, String, String)] = [
            (o.conflicts, o.conflicts == 1 ? "pair in conflict: choose the values" : "pairs in conflict: choose the values", "/ui/conflicts"),
            (o.matchFailures, o.matchFailures == 1 ? "match failure to look at" : "match failures to look at", "/ui/match-failures"),
            (o.outboundFailures, o.outboundFailures == 1 ? "request e-conomic or Stripe refused" : "requests e-conomic or Stripe refused", "/ui/outbound"),
            (o.unpartneredSource, "unpartnered Stripe / file customers", "/ui/unpartnered?side=source"),
            (o.unpartneredEconomic, "unpartnered e-conomic customers", "/ui/unpartnered?side=economic"),
        ].filter { $0.0 > 0 }
        let attention: HTML =
            needed.isEmpty
            ? "<p class=\"notice\" role=\"status\">Nothing needs your attention: every customer is synchronised, on its way, or set aside.</p>"
            : """
            <h2>Needs your attention</h2><div class="counts">\(HTML.join(needed.map { card($0.0, $0.1, $0.2, attention: true) }))</div>
            """
        let failures = inbox.filter { $0.status == "failed" || $0.lastError != nil }
        let inboxRows = HTML.join(
            failures.prefix(10).map { entry in
                "<tr><td><code>\(entry.eventID)</code></td><td>\(entry.eventType)</td><td>\(entry.status)</td><td>\(entry.attempts)</td><td>\(entry.lastError)</td></tr>"
            })
        let inboxTable: HTML =
            failures.isEmpty
            ? .empty
            : """
            <h2>Webhook deliveries with problems</h2><table><tr><th>Event</th><th>Type</th><th>Status</th><th>Attempts</th><th>Last error</th></tr>\(inboxRows)</table>
            """
        return """
            <h1>Overview</h1>
            \(matchingHold(o.matchingHold))
            \(attention)
            <h2>Everything else</h2>
            <div class="counts">
            \(card(o.synchronised, "synchronised", "/ui/synchronised"))
            \(card(o.pendingCreations, "partners being created", "/ui/outbound"))
            \(card(o.stopped, "stopped pairs", "/ui/synchronised"))
            \(card(o.excluded, "excluded customers", "/ui/customers"))
            \(card(o.inboxPending, "webhook deliveries waiting", "/ui"))
            </div>
            <section class="card"><h2>Stripe webhook</h2><p>Point a Stripe webhook endpoint for <code>customer.created</code>,
            <code>customer.updated</code> and <code>customer.deleted</code> at <code>\(webhookURL)</code>.</p></section>
            \(inboxTable)
            """
    }

    /// Why no customer is matched or created just now, when that is so.
    static func matchingHold(_ hold: MatchingHold?) -> HTML {
        guard let hold else { return .empty }
        return """
            <section class="card"><h2>Matching is paused</h2><p>The match fields changed (settings version \(hold.settingsVersion), \(hold.since)).
            Until the match index has been rebuilt for them, new customers are neither matched nor created, so that none is created twice;
            linked pairs keep synchronising. \(hold.heldDecisions) customers wait and are decided as soon as the rebuild is done.
            Rebuild: \(hold.rebuild.description).</p></section>
            """
    }

    // MARK: Conflicts

    static func conflicts(
        _ groups: [ConflictGroup], search: String? = nil, total: Int, offset: Int, limit: Int, names: [CustomerRef: String],
        identity: TenantIdentity
    ) -> HTML {
        let searchBox = searchForm("/ui/conflicts", search: search, placeholder: "name, e-mail or id of either customer")
        guard total > 0 else {
            return search == nil
                ? "<h1>Conflicts</h1><p>No conflicts: every linked pair agrees.</p>" : "<h1>Conflicts</h1>\(searchBox)\(nothingFound(search))"
        }
        let back = "/ui/conflicts" + WebPaths.query([("search", search)])
        let sections = groups.map { group -> HTML in
            let rows = HTML.join(
                group.fields.map { field in
                    let name = "choice[\(field.field)]"
                    return """
                        <tr><th scope="row">\(field.field)</th><td class="muted">\(field.baseValue ?? "–")</td>
                        <td><label><input type="radio" name="\(name)" value="source"> \(field.sourceValue ?? "(empty)")</label></td>
                        <td><label><input type="radio" name="\(name)" value="economic"> \(field.economicValue ?? "(empty)")</label></td>
                        <td><label><input type="radio" name="\(name)" value="value"> <input name="value[\(field.field)]" size="22" aria-label="Another value for \(field.field)"></label></td></tr>
                        """
                })
            return """
                <section class="card" id="conflict-\(WebPaths.segment(group.linkId))"><h2>\(customerLink(group.source, names: names)) ↔ \(customerLink(group.economic, names: names))</h2>
                \(FlashMessage.slot("conflict:" + group.linkId))<form method="post" action="/ui/conflicts/\(WebPaths.segment(group.linkId))/resolve">\(Layout.csrf(identity))<input type="hidden" name="return_to" value="\(back)#conflict-\(WebPaths.segment(group.linkId))">
                <table><tr><th>Field</th><th>Last agreed</th><th>Keep source value</th><th>Keep e-conomic value</th><th>Or use</th></tr>\(rows)</table>
                <button class="primary">Resolve the chosen fields</button> <span class="muted">Both sides get the chosen value.</span></form></section>
                """
        }
        let count: HTML = total == 1 ? "One pair disagrees." : "\(total) pairs disagree."
        return """
            <h1>Conflicts</h1><p class="muted">\(count) Choose what each field should hold; both sides get it.</p>\(searchBox)\(sections)
            \(pager(path: "/ui/conflicts", query: [("search", search)], offset: offset, limit: limit, total: total))
            """
    }

    // MARK: Unpartnered

    static func unpartnered(
        side: String, rows: [UnpartneredRow], search: String? = nil, total: Int, offset: Int, limit: Int, identity: TenantIdentity, back: String,
        counts: (source: Int, economic: Int)? = nil, offersStripe: Bool = true
    ) -> HTML {
        func tab(_ value: String, _ label: String, _ count: Int?) -> HTML {
            Pages.tab("/ui/unpartnered?side=\(value)", label, count: count, current: side == value)
        }
        let tabs: HTML = """
            <nav class="tabs" aria-label="Side">\(tab("source", "Stripe and file customers", counts?.source)) \(tab("economic", "e-conomic customers", counts?.economic))</nav>
            """
        let partnerHint = side == "source" ? "e-conomic no." : "stripe:cus_… or file:…"
        let body = HTML.join(
            rows.map { row -> HTML in
                let ref = CustomerRef(system: System(rawValue: row.system) ?? .file, id: row.externalID)
                let base = customerPath(ref)
                return """
                    <tr><td>\(customerLink(ref, label: row.name ?? ref.description))<br><span class="muted">\(ref.description)</span></td><td>\(row.email)</td><td>\(row.since)</td>
                    <td>\(button(createLabel(ref), action: base + "/create-partner", back: back, identity: identity, primary: true, extra: numberingChoice(for: [ref.system])))
                    <details><summary>Other actions</summary>\(ref.system == .economic && offersStripe ? createInStripe(base, back: back, identity: identity) : .empty)
                    <form method="post" action="\(base)/select-partner" class="inline">\(Layout.csrf(identity))<input type="hidden" name="return_to" value="\(back)"><input name="partner" size="16" placeholder="\(partnerHint)" aria-label="Partner" required><button>Select partner</button></form>
                    \(button("Don't synchronise", action: base + "/exclude", back: back, identity: identity))</details></td></tr>
                    """
            })
        let allSide = side == "source" ? "source" : "economic"
        let createAll: HTML =
            rows.isEmpty
            ? .empty
            : """
            <form method="post" action="/ui/unpartnered/\(allSide)/create-partners" class="card">\(Layout.csrf(identity))<input type="hidden" name="return_to" value="\(back)">
            \(total == 1 ? "Create a partner for this customer" : "Create partners for all \(total) customers"): \(numberingChoice(for: side == "source" ? [.stripe, .file] : [.economic])) <button class="primary">\(total == 1 ? "Create partner" : "Create partners")</button></form>
            """
        let table: HTML =
            rows.isEmpty
            ? (search == nil ? "<p>Every customer on this side has a partner.</p>" : nothingFound(search))
            : "<table><tr><th>Customer</th><th>E-mail</th><th>Unpartnered since</th><th>Actions</th></tr>\(body)</table>"
        return """
            <h1>Unpartnered</h1>\(tabs)\(searchForm("/ui/unpartnered", search: search, placeholder: "name, e-mail or id", hidden: [("side", side)]))\(createAll)\(table)
            \(pager(path: "/ui/unpartnered", query: [("side", side), ("search", search)], offset: offset, limit: limit, total: total))
            """
    }

    // MARK: Synchronised

    static func synchronised(
        _ links: [PartnerLinkRow], names: [CustomerRef: String], search: String? = nil, total: Int, offset: Int, limit: Int, identity: TenantIdentity
    ) -> HTML {
        guard !links.isEmpty || search != nil else {
            return """
                <h1>Synchronised</h1><p>No linked pairs yet. A pair appears here when Accord matches a customer on the match fields \
                (<a href="/ui/settings">Settings</a>), when you choose a partner for an <a href="/ui/unpartnered">unpartnered</a> customer, \
                or when a partner Accord created exists. Customers come from <a href="/ui/connections">Stripe and e-conomic</a> or an \
                <a href="/ui/imports">imported customer file</a>.</p>
                """
        }
        let back = "/ui/synchronised" + WebPaths.query([("search", search)])
        let rows = HTML.join(
            links.map { link -> HTML in
                let base = "/ui/links/\(WebPaths.segment(link.linkID))"
                let toggle =
                    link.stopped
                    ? button("Restart", action: base + "/restart", back: back, identity: identity)
                    : button("Stop", action: base + "/stop", back: back, identity: identity)
                return """
                    <tr><td>\(customerLink(link.source, names: names))</td><td>\(customerLink("economic:\(link.economicNumber)", names: names))</td>
                    <td>\(LinkSummary.describe(link.origin))</td><td>\(link.stopped ? "stopped" : "synchronising")</td><td>\(link.linkedAt)</td>
                    <td>\(toggle) \(button("Unlink", action: base + "/unlink", back: back, identity: identity))</td></tr>
                    """
            })
        return """
            <h1>Synchronised</h1>\(searchForm("/ui/synchronised", search: search, placeholder: "either customer's name, e-mail or id"))
            \(links.isEmpty ? nothingFound(search) : "<table><tr><th>Source</th><th>e-conomic</th><th>Linked by</th><th>State</th><th>Linked</th><th>Actions</th></tr>\(rows)</table>")
            \(pager(path: "/ui/synchronised", query: [("search", search)], offset: offset, limit: limit, total: total))
            """
    }

    // MARK: Match failures

    static func matchFailures(
        _ rows: [CustomerRow], search: String? = nil, total: Int, offset: Int, limit: Int, identity: TenantIdentity
    ) -> HTML {
        guard total > 0 || search != nil else {
            return "<h1>Match failures</h1><p>No match or mapping failures: every customer could be matched, or given a partner.</p>"
        }
        let back = "/ui/match-failures" + WebPaths.query([("search", search), ("offset", offset > 0 ? String(offset) : nil)])
        let body = HTML.join(
            rows.map { row -> HTML in
                let reason = [row.matchFailure?.description, row.mappingFailure?.description].compactMap { $0 }.joined(separator: " ")
                return """
                    <tr><td>\(customerLink(row.customer, label: row.name ?? row.customer.description))<br><span class="muted">\(row.customer.description)</span></td>
                    <td>\(row.email)</td><td>\(reason)</td>
                    <td>\(row.excluded ? HTML("<span class=\"tag\">excluded</span>") : button("Don't synchronise", action: customerPath(row.customer) + "/exclude", back: back, identity: identity))</td></tr>
                    """
            })
        return """
            <h1>Match failures</h1><p class="muted">\(total == 1 ? "One customer" : "\(total) customers") Accord could not match or map \
            automatically, and why. Fix the data at the source, or pair them by hand from the customer page.</p>
            \(searchForm("/ui/match-failures", search: search, placeholder: "name, e-mail or id"))
            \(rows.isEmpty ? nothingFound(search) : "<table><tr><th>Customer</th><th>E-mail</th><th>Reason</th><th></th></tr>\(body)</table>")
            \(pager(path: "/ui/match-failures", query: [("search", search)], offset: offset, limit: limit, total: total))
            """
    }

    // MARK: Customers

    static func customers(_ rows: [CustomerRow], total: Int, search: String?, side: String?, offset: Int, limit: Int) -> HTML {
        func option(_ value: String, _ label: String) -> HTML {
            "<option value=\"\(value)\"\(side == value ? HTML(" selected") : HTML.empty)>\(label)</option>"
        }
        let body = HTML.join(
            rows.map { row -> HTML in
                var flags: [HTML] = []
                if row.excluded { flags.append("<span class=\"tag\">excluded</span>") }
                if row.deleted { flags.append("<span class=\"tag\">deleted</span>") }
                if row.matchFailure != nil || row.mappingFailure != nil { flags.append("<span class=\"tag\">failure</span>") }
                if row.pendingRequest != nil { flags.append("<span class=\"tag\">partner being created</span>") }
                return """
                    <tr><td>\(customerLink(row.customer, label: row.name ?? row.customer.description))</td><td>\(row.customer.description)</td><td>\(row.email)</td>
                    <td>\(customerLink(row.partner))</td><td>\(flags)</td></tr>
                    """
            })
        return """
            <h1>Customers</h1>
            <form method="get" action="/ui/customers"><input name="search" value="\(search)" placeholder="name, e-mail or id" aria-label="Search">
            <select name="side" aria-label="Side">\(option("", "all systems"))\(option("source", "Stripe and files"))\(option("stripe", "Stripe"))\(option("file", "files"))\(option("economic", "e-conomic"))</select>
            <button>Search</button></form>
            <table><tr><th>Name</th><th>Id</th><th>E-mail</th><th>Partner</th><th></th></tr>\(body)</table>
            \(pager(path: "/ui/customers", query: [("search", search), ("side", side)], offset: offset, limit: limit, total: total))
            """
    }

    static func customer(
        _ detail: CustomerDetail, row: CustomerRow, identity: TenantIdentity, picker: HTML = .empty, offersStripe: Bool = true
    ) -> HTML {
        let ref = row.customer
        let back = customerPath(ref)
        func fieldTable(_ fields: [String: String]) -> HTML {
            guard !fields.isEmpty else { return "<p class=\"muted\">No fields.</p>" }
            return "<table>\(HTML.join(fields.keys.sorted().map { "<tr><th scope=\"row\">\($0)</th><td>\(fields[$0])</td></tr>" }))</table>"
        }
        var facts: [HTML] = []
        facts.append("<li>State: \(row.deleted ? "deleted" : row.excluded ? "excluded (not synchronised)" : "active")</li>")
        if let partner = row.partner { facts.append("<li>Partner: \(customerLink(partner))</li>") }
        if let link = detail.link {
            facts.append("<li>Link: \(link.origin), \(link.stopped ? "synchronisation stopped" : "synchronising") since \(link.linkedAt)</li>")
        }
        if row.pendingRequest != nil { facts.append("<li>A partner is being created.</li>") }
        if let failure = row.matchFailure { facts.append("<li class=\"error\">Match failure: \(failure.description)</li>") }
        if let failure = row.mappingFailure { facts.append("<li class=\"error\">Mapping failure: \(failure.description)</li>") }
        if let at = row.sourceUpdatedAt {
            facts.append("<li>Last changed in \(systemName(ref.system)): \(at)</li>")
        }

        var actions: [HTML] = []
        if !row.deleted {
            actions.append(
                row.excluded
                    ? button("Synchronise again", action: back + "/include", back: back, identity: identity)
                    : button("Don't synchronise", action: back + "/exclude", back: back, identity: identity))
        }
        if row.linkID == nil && row.pendingRequest == nil && !row.deleted && !row.excluded {
            actions.append(
                button(createLabel(ref), action: back + "/create-partner", back: back, identity: identity, primary: true, extra: numberingChoice(for: [ref.system])))
            if ref.system == .economic && offersStripe { actions.append(createInStripe(back, back: back, identity: identity)) }
        }
        if let link = detail.link {
            let base = "/ui/links/\(WebPaths.segment(link.linkId))"
            actions.append(
                link.stopped
                    ? button("Restart synchronisation", action: base + "/restart", back: back, identity: identity)
                    : button("Stop synchronisation", action: base + "/stop", back: back, identity: identity))
            actions.append(button("Unlink", action: base + "/unlink", back: back, identity: identity))
        }
        let conflicts: HTML =
            detail.conflicts.isEmpty
            ? .empty
            : "<p class=\"error\">\(detail.conflicts.count) conflicting field(s): \(detail.conflicts.map(\.field).joined(separator: ", ")). <a href=\"/ui/conflicts\">Resolve</a></p>"
        let mapped: HTML = detail.mapped.map { "<h2>As e-conomic fields (current mapping)</h2>\(fieldTable($0))" } ?? .empty
        return """
            <h1>\(row.name ?? ref.description) <span class="muted">\(ref.description)</span></h1>
            <section class="card"><ul>\(facts)</ul>\(conflicts)<div>\(HTML.join(actions, separator: " "))</div></section>\(picker)
            <h2>Fields</h2>\(fieldTable(row.fields))\(mapped)
            \(history(detail.history))
            """
    }

    // MARK: Outbound

    static func outbound(
        _ problems: [OutboundProblem], search: String? = nil, total: Int, offset: Int, limit: Int, pending: [PendingCreationRow],
        identity: TenantIdentity
    ) -> HTML {
        let back = "/ui/outbound" + WebPaths.query([("search", search), ("offset", offset == 0 ? nil : String(offset))])
        let problemRows = HTML.join(
            problems.map { problem -> HTML in
                let retry: HTML =
                    problem.state == "abandoned"
                    ? button("Retry", action: "/ui/outbound/\(WebPaths.segment(problem.requestID))/retry", back: back, identity: identity) : .empty
                let state = problem.rateLimitedWaits.map { "waiting for the rate limit (\($0) waits so far)" } ?? problem.state
                return """
                    <tr><td><code>\(problem.requestID)</code><br>\(problem.requestType)</td><td>\(customerLink(problem.customer))</td><td>\(state)</td>
                    <td>\(problem.attempts)</td><td>\(problem.error)</td><td>\(problem.retryAt.map { "\(HTML.format($0))" })</td><td>\(retry)</td></tr>
                    """
            })
        let pendingRows = HTML.join(
            pending.map { row -> HTML in
                "<tr><td>\(customerLink(row.from))</td><td>\(System(rawValue: row.targetSystem).map(systemName) ?? row.targetSystem)</td><td>\(row.customerNumber.map(String.init) ?? "assigned by e-conomic")</td><td>\(row.requestedAt)</td></tr>"
            })
        return """
            <h1>Outbound</h1>
            <h2>Failed requests</h2>
            <p class="muted">\(search != nil ? "\(total) found." : total == 0 ? "No request failed." : total == 1 ? "One request failed or waits." : "\(total) requests failed or wait.") \
            Requests waiting because e-conomic or Stripe asked Accord to slow down are listed too; they are not failures and are sent again by themselves.</p>
            \(searchForm("/ui/outbound", search: search, placeholder: "name, e-mail or id of the customer"))
            \(problems.isEmpty ? (search == nil ? HTML.empty : nothingFound(search)) : "<table><tr><th>Request</th><th>Customer</th><th>State</th><th>Attempts</th><th>Error</th><th>Next attempt</th><th></th></tr>\(problemRows)</table>")
            \(pager(path: "/ui/outbound", query: [("search", search)], offset: offset, limit: limit, total: total))
            <h2>Partners being created</h2>
            \(pending.isEmpty ? HTML("<p>None.</p>") : "<table><tr><th>From</th><th>In</th><th>Customer number</th><th>Requested</th></tr>\(pendingRows)</table>")
            """
    }

    // MARK: Settings

    /// The settings form; `confirming` (the customers the change would change, and the most that need no confirmation)
    /// asks to confirm a change the preview shows, with a button that saves it confirmed.
    static func settings(
        _ form: SettingsForm, problems: [SettingsForm.Problem], preview: ReplayReport? = nil, confirming: (changed: Int, threshold: Int)? = nil,
        application: SettingsApplication? = nil, choices: EconomicChoicesState = .notConnected, identity: TenantIdentity
    ) -> HTML {
        func checked(_ condition: Bool) -> HTML { condition ? " checked" : "" }
        func selected(_ condition: Bool) -> HTML { condition ? " selected" : "" }
        let placed = problems.filter { $0.part != .version }.count
        let problemList: HTML =
            problems.isEmpty
            ? .empty
            : """
            <div class="error" role="alert"><strong>The settings were not saved\(placed == 0 ? "" : placed == 1 ? ": one problem, shown next to what it concerns" : ": \(placed) problems, each shown next to what it concerns").</strong>\(settingsProblems(problems, .version))</div>
            """
        func problemsOf(_ part: SettingsPart) -> HTML { settingsProblems(problems, part) }
        let confirmation: HTML =
            confirming.map {
                """
                <div class="notice" role="alert"><strong>Not saved yet: this change would change \($0.changed) customers</strong> \
                (more than \($0.threshold)). The preview below shows what it does; “Save and apply” saves it, and Accord then applies \
                it to those customers.</div>
                """
            } ?? .empty
        let confirmField: HTML = confirming == nil ? .empty : "<input type=\"hidden\" name=\"confirm\" value=\"yes\">"
        let saveLabel: HTML = confirming.map { "Save and apply to \($0.changed) customers" } ?? "Save settings"
        return """
            <h1>Settings</h1>\(problemList)\(confirmation)\(application.map { settingsApplication($0, identity: identity) } ?? .empty)\(preview.map(Pages.preview) ?? .empty)
            <form method="post" action="/ui/settings">\(Layout.csrf(identity))<input type="hidden" name="expected_version" value="\(form.expectedVersion)">\(confirmField)
            <p class="muted">Version \(form.expectedVersion). Saving a change made by someone else meanwhile is refused; reload and apply yours again.</p>
            <fieldset><legend>Matching</legend>\(problemsOf(.matching))
            <label>Match fields, one per line: <code>source field = e-conomic field</code>; add <code>(optional)</code> to skip customers with the field empty instead of reporting them.
            <textarea name="match_fields" rows="3">\(form.matchFields)</textarea></label></fieldset>
            <fieldset><legend>Customer numbers</legend>\(problemsOf(.numbering))
            <label><input type="radio" name="numbering" value="economic"\(checked(form.numbering != "source"))> e-conomic assigns the number (recommended); write it back to Stripe metadata key
            <input name="write_back_key" value="\(form.writeBackKey)" size="20" placeholder="(none)"></label>
            <label><input type="checkbox" name="write_back_linked" value="yes"\(checked(form.writeBackLinked == "yes"))> also for Stripe customers linked to an existing e-conomic customer, not only the ones Accord creates a partner for (switching it on reaches the pairs linked before)</label>
            <label><input type="radio" name="numbering" value="source"\(checked(form.numbering == "source"))> take it from the source field
            <input name="numbering_field" value="\(form.numberingField)" size="28" placeholder="metadata.customer_number"></label></fieldset>
            \(defaultsFieldset(form, choices: choices, problems: problemsOf(.defaults)))
            \(mappingEditor(form, problems: problemsOf(.mappings)))
            <fieldset><legend>Policies</legend>\(problemsOf(.policies))
            <label>A source customer without a match:
            <select name="create_policy"><option value="automatic"\(selected(form.createPolicy == "automatic"))>create its e-conomic partner automatically</option>
            <option value="manual"\(selected(form.createPolicy == "manual"))>leave it unpartnered for a person to decide</option></select></label>
            <label>Conflicts, per e-conomic field (others: ask): <code>field = ask | sourceWins | economicWins</code>
            <textarea name="conflict_policies" rows="3">\(form.conflictPolicies)</textarea></label>
            <label>Fields where emptying a value on one side empties it on the other (comma-separated):
            <input name="empty_overwrites" value="\(form.emptyOverwrites)" size="50"></label></fieldset>
            <button formaction="/ui/settings/preview">Preview</button> <button class="primary">\(saveLabel)</button></form>
            """
    }

    /// The problems of one part of the settings, as a list shown next to it (nothing when it has none).
    static func settingsProblems(_ problems: [SettingsForm.Problem], _ part: SettingsPart) -> HTML {
        let messages = problems.filter { $0.part == part }.map(\.message)
        guard !messages.isEmpty else { return .empty }
        return "<ul class=\"error\" role=\"alert\">\(HTML.join(messages.map { "<li>\($0)</li>" }))</ul>"
    }
}
