import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// HTML answers with the headers every page carries: a strict Content-Security-Policy (no scripts at all,
/// inline styles only, forms post to this site only), no sniffing, no caching, no framing.
enum HTMLResponse {
    static let securityHeaders: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .contentSecurityPolicy:
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
        .cacheControl: "no-store",
    ]

    /// A page.
    static func page(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: securityHeaders, body: .init(byteBuffer: ByteBuffer(string: html.rendered)))
    }

    /// A page of a signed-in session: the message an action left for it (``FlashMessage``) is shown — next to what it
    /// is about when the page shows that, else at the top unless the page has a message of its own — and cleared.
    static func page(
        title: String, chrome: Layout.Chrome, body: HTML, request: Request, secureCookies: Bool, status: HTTPResponse.Status = .ok
    ) -> Response {
        var chrome = chrome
        var body = body
        let flash = FlashMessage.read(
            request.cookies[FlashMessage.cookieName]?.value, session: request.cookies[SessionCookie.session]?.value)
        if let flash, let placed = flash.placed(in: body) {
            body = placed
        } else if let flash, chrome.notice == nil, chrome.error == nil, chrome.info == nil {
            switch flash.kind {
            case .notice: chrome.notice = flash.text
            case .info: chrome.info = flash.text
            case .error: chrome.error = flash.text
            }
        }
        var response = page(Layout.page(title: title, chrome: chrome, body: body), status: status)
        if request.cookies[FlashMessage.cookieName] != nil { response.setCookie(FlashMessage.clearing(secure: secureCookies)) }
        return response
    }

    /// `303 See Other` to a path on this site, leaving a message for the page there (``FlashMessage``).
    static func redirect(to location: String, flash: FlashMessage, request: Request, secureCookies: Bool) -> Response {
        var response = redirect(to: location)
        if let session = request.cookies[SessionCookie.session]?.value {
            response.setCookie(flash.cookie(session: session, secure: secureCookies))
        }
        return response
    }

    /// `303 See Other` to a path on this site (after a form post, or to the login page).
    static func redirect(to location: String, clearingSession: Bool = false) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        if clearingSession {
            response.setCookie(
                SessionCookie.make(SessionCookie.session, value: "", maxAge: 0, path: "/", secure: false))
        }
        return response
    }

    /// The page an error becomes on web routes.
    static func errorPage(_ error: APIError, identity: TenantIdentity?) -> Response {
        let body: HTML = """
            <section class="card"><h1>\(String(error.status.code)) \(error.status.reasonPhrase)</h1>
            <p class="error">\(sentence(error.message))</p>
            <p><a href="\(identity != nil ? "/ui" : "/login")">\(identity != nil ? "Back to the overview" : "Log in")</a></p></section>
            """
        // Signed in: the page keeps the navigation, so a wrong address or a refused action is one click from the rest.
        guard let identity else { return page(Layout.bare(title: "Error", body: body), status: error.status) }
        return page(Layout.page(title: error.status.reasonPhrase, chrome: Layout.Chrome(identity: identity, section: nil), body: body), status: error.status)
    }
}
