import Credentials
import EventStore
import Foundation

/// The frame around every page: navigation mirroring CleanManager's sections, flash messages, a small
/// stylesheet. No JavaScript.
enum Layout {
    /// The sections, in navigation order.
    enum Section: String, CaseIterable {
        case overview, conflicts, unpartnered, synchronised, failures, customers, imports, outbound, connections, settings

        var title: String {
            switch self {
            case .overview: "Overview"
            case .conflicts: "Conflicts"
            case .unpartnered: "Unpartnered"
            case .synchronised: "Synchronised"
            case .failures: "Match failures"
            case .customers: "Customers"
            case .imports: "Import"
            case .connections: "Connections"
            case .outbound: "Outbound"
            case .settings: "Settings"
            }
        }

        var path: String {
            switch self {
            case .overview: "/ui"
            case .failures: "/ui/match-failures"
            default: "/ui/\(rawValue)"
            }
        }
    }

    /// What a page shows besides its body.
    struct Chrome {
        var identity: TenantIdentity
        var section: Section?
        var notice: String?
        var error: String?
        /// Neutral information (an action that found nothing to do).
        var info: String? = nil
    }

    /// A full page for a signed-in tenant.
    static func page(title: String, chrome: Chrome, body: HTML) -> HTML {
        let navigation = HTML.join(
            Section.allCases.map { section in
                let current: HTML = section == chrome.section ? #" aria-current="page""# : ""
                return "<a href=\"\(section.path)\"\(current)>\(section.title)</a>"
            })
        let notice: HTML = chrome.notice.map { message(.notice, $0) } ?? .empty
        let error: HTML = chrome.error.map { message(.error, $0) } ?? .empty
        let info: HTML = chrome.info.map { message(.info, $0) } ?? .empty
        return document(
            title: title, viewer: chrome.identity.role == .viewer,
            body: """
                <header><strong>Accord</strong> <span class="tenant">\(chrome.identity.tenant.rawValue)</span>
                <nav>\(navigation)</nav>
                <span class="who">\(who(chrome.identity))</span> <a href="/ui/users">Users</a>
                <form method="post" action="/logout" class="inline">\(csrf(chrome.identity))<button>Log out</button></form></header>
                <main>\(readOnlyNote(chrome.identity))\(notice)\(info)\(error)\(body)</main>
                """)
    }

    /// Who is logged in, as the header shows it.
    static func who(_ identity: TenantIdentity) -> HTML {
        switch identity.method {
        case .user: "\(identity.principal) · \(identity.role.rawValue)"
        case .session, .apiKey: "API key \(identity.principal)"
        }
    }

    /// For a viewer: every page says that nothing can be changed, and the forms that would change something lose
    /// their buttons and take no clicks (`body.viewer` in the stylesheet), so what they show stays readable; the
    /// server refuses a viewer's post in any case.
    static func readOnlyNote(_ identity: TenantIdentity) -> HTML {
        identity.role == .viewer
            ? "<p class=\"notice read-only\" role=\"note\">You are a viewer: you can look at everything here, and an admin makes the changes.</p>"
            : .empty
    }

    /// A message as the pages show it: done (a status), information (a status), or refused (an alert).
    static func message(_ kind: FlashMessage.Kind, _ text: String) -> HTML {
        switch kind {
        case .notice: "<p class=\"notice\" role=\"status\">\(text)</p>"
        case .info: "<p class=\"info\" role=\"status\">\(text)</p>"
        case .error: "<p class=\"error\" role=\"alert\">\(text)</p>"
        }
    }

    /// A page without navigation (login, errors).
    static func bare(title: String, body: HTML) -> HTML {
        document(title: title, body: "<header><strong>Accord</strong></header><main>\(body)</main>")
    }

    /// The hidden anti-forgery field every form carries.
    static func csrf(_ identity: TenantIdentity) -> HTML {
        "<input type=\"hidden\" name=\"_csrf\" value=\"\(identity.csrfToken)\">"
    }

    private static func document(title: String, viewer: Bool = false, body: HTML) -> HTML {
        let bodyClass: HTML = viewer ? #" class="viewer""# : .empty
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Accord</title><style>\(stylesheet)</style></head>
            <body\(bodyClass)>\(body)</body></html>
            """
    }

    private static let stylesheet = HTML(
        trusted: """
            body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
            header{display:flex;flex-wrap:wrap;gap:.8em;align-items:center;padding:.6em 1.2em;background:#1d2330;color:#fff}
            header nav{display:flex;flex-wrap:wrap;gap:.2em;flex:1} header nav a{color:#cfd6e4;text-decoration:none;padding:.25em .6em;border-radius:4px}
            header nav a[aria-current]{background:#3b4a66;color:#fff} .tenant{opacity:.7}
            main{max-width:1150px;margin:1.2em auto;padding:0 1.2em} h1{font-size:1.4em} h2{font-size:1.15em;margin-top:1.4em}
            table{border-collapse:collapse;width:100%;background:#fff;margin:.6em 0} th,td{text-align:left;padding:.35em .5em;border-bottom:1px solid #e3e6eb;vertical-align:top}
            th{background:#eef0f4;font-weight:600} .card{background:#fff;padding:1em 1.2em;border-radius:6px;margin:.8em 0;box-shadow:0 1px 2px #0001}
            .counts{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:.8em} .counts a{display:block;background:#fff;padding:.8em 1em;border-radius:6px;text-decoration:none;color:inherit;box-shadow:0 1px 2px #0001}
            .counts b{display:block;font-size:1.8em} .notice{background:#e5f5ea;border:1px solid #9fd5b0;padding:.5em .8em;border-radius:4px}
            .error{background:#fdecec;border:1px solid #eca5a5;padding:.5em .8em;border-radius:4px;white-space:pre-wrap} .muted{color:#5d6577} .warning{color:#8a4b00;margin:.3em 0;padding-left:1.2em}
            form.inline{display:inline} button{font:inherit;padding:.25em .7em;border:1px solid #8a94a8;border-radius:4px;background:#fff;cursor:pointer}
            button.primary{background:#2d5bd7;border-color:#2d5bd7;color:#fff} input,select,textarea{font:inherit;padding:.2em .35em}
            textarea{width:100%;font-family:ui-monospace,monospace} label{display:block;margin:.4em 0} code,pre{font-family:ui-monospace,monospace;font-size:.92em}
            pre{white-space:pre-wrap;margin:0} .tag{display:inline-block;padding:0 .45em;border-radius:3px;background:#e3e6eb;font-size:.85em}
            fieldset{border:1px solid #d3d8e0;border-radius:6px;margin:.8em 0;background:#fff} fieldset.locked{border:0;padding:0;margin:0;background:none;opacity:.6}
            nav.tabs{display:flex;gap:.4em;margin:.6em 0} nav.tabs a{padding:.3em .8em;border-radius:4px;text-decoration:none;color:inherit;background:#fff}
            nav.tabs a[aria-current]{background:#3b4a66;color:#fff} nav.tabs a[aria-current] .tag{color:#1d2330} .tag.attention{background:#fbe3c8;color:#6b3500} nav.tabs.sync{flex-wrap:wrap;border-bottom:1px solid #d6dae1;padding-bottom:.5em} details{display:inline-block}
            a.name{display:inline-block;max-width:32ch;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;vertical-align:bottom}
            .info{background:#eef0f4;border:1px solid #c6ccd8;padding:.5em .8em;border-radius:4px} .counts a.attention{border-left:4px solid #d9822b} .counts a.zero{color:#5d6577} header a{color:#cfd6e4} .who{opacity:.8;font-size:.9em} body.viewer main form[method="post"] button{display:none}
            body.viewer main form[method="post"] :is(input,select,textarea){pointer-events:none;background:#f3f4f6}
            """)
}
