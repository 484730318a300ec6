import Credentials
import Crypto
import Foundation
import Hummingbird

/// What an action tells the page it redirects to ("Synchronisation stopped.", or why nothing was done): carried in
/// a short-lived cookie (`accord_flash`, HttpOnly, SameSite=Strict, path `/ui`) signed with the session's token
/// (HMAC-SHA256), shown by the next page and cleared by it. Not in the URL: a link cannot show someone a made-up
/// message (another site can neither set nor sign the cookie), and reloading the page does not repeat it.
struct FlashMessage: Sendable, Hashable {
    /// Whether the action was done.
    enum Kind: String, Sendable {
        /// Done.
        case notice = "n"
        /// Nothing needed doing (not a success to celebrate, not a failure).
        case info = "i"
        /// Refused or failed: why.
        case error = "e"
    }

    /// Done or refused.
    var kind: Kind
    /// The sentence shown.
    var text: String
    /// What the message is about (e.g. `conflict:<link id>`): a page that shows that thing puts the message next to
    /// it (``slot(_:)``); any other page shows it at the top.
    var subject: String? = nil

    /// The cookie's name.
    static let cookieName = "accord_flash"
    /// How long a message waits for its page, in seconds.
    static let lifetime = 120
    /// The longest text carried (a cookie holds about 4 KB); longer ones are cut with "…".
    static let maximumBytes = 2_000

    /// The cookie that carries the message to the next page of the session whose cookie value is `session`.
    func cookie(session: String, secure: Bool) -> Cookie {
        var text = text
        if text.utf8.count > Self.maximumBytes {
            text = String(decoding: Array(text.utf8.prefix(Self.maximumBytes)), as: UTF8.self).trimmingCharacters(in: ["\u{FFFD}"]) + "…"
        }
        let head = kind.rawValue + (subject.map { "~" + Data($0.utf8).base64URLString } ?? "")
        let body = head + "." + Data(text.utf8).base64URLString
        let value = body + "." + Self.signature(of: body, session: session)
        return SessionCookie.make(Self.cookieName, value: value, maxAge: Self.lifetime, path: "/ui", secure: secure)
    }

    /// The message a cookie carries, when it was signed for this session; nil otherwise.
    static func read(_ value: String?, session: String?) -> FlashMessage? {
        guard let value, let session else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let text = Data(base64URL: parts[1]) else { return nil }
        let head = parts[0].split(separator: "~", maxSplits: 1, omittingEmptySubsequences: false)
        guard let kind = Kind(rawValue: String(head[0])) else { return nil }
        let subject = head.count == 2 ? Data(base64URL: head[1]).map { String(decoding: $0, as: UTF8.self) } : nil
        guard head.count == 1 || subject != nil else { return nil }
        let body = parts[0] + "." + parts[1]
        guard constantTimeEqual(Array(parts[2].utf8), Array(signature(of: String(body), session: session).utf8)) else { return nil }
        return FlashMessage(kind: kind, text: String(decoding: text, as: UTF8.self), subject: subject)
    }

    /// The cookie that removes a shown message.
    static func clearing(secure: Bool) -> Cookie {
        SessionCookie.make(cookieName, value: "", maxAge: 0, path: "/ui", secure: secure)
    }

    /// Where a page shows a message about `subject`, if one comes: an HTML comment that ``HTMLResponse`` replaces with
    /// the message (and that stays an invisible comment otherwise).
    static func slot(_ subject: String) -> HTML {
        HTML(trusted: "<!--flash:" + HTML.escape(subject).replacingOccurrences(of: "-", with: "&#45;") + "-->")
    }

    /// The page with the message in its subject's slot, when the page has that slot; nil otherwise.
    func placed(in body: HTML) -> HTML? {
        guard let subject else { return nil }
        let marker = Self.slot(subject).rendered
        guard body.rendered.contains(marker) else { return nil }
        return HTML(trusted: body.rendered.replacingOccurrences(of: marker, with: Layout.message(kind, text).rendered))
    }

    private static func signature(of body: String, session: String) -> String {
        let key = SymmetricKey(data: Data(("accord-flash|" + session).utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key)).base64URLString
    }
}

/// What an action throws when it found nothing to do ("No customer needed a partner."): shown as information, neither
/// a success nor a failure.
struct NothingDone: Error {
    /// The sentence shown.
    var message: String
}
