import Credentials
import Crypto
import Foundation
import Hummingbird

/// The web UI's cookies: the session cookie, which carries a server-side session's token (``WebSessions``), and
/// the login form's pre-session cookie, which ties the form's anti-forgery token to the browser that loaded it.
///
/// Both are `HttpOnly` and `SameSite=Strict`, and `Secure` unless the server is configured for plain HTTP on
/// loopback (``ServerConfiguration/secureCookies``). A form's anti-forgery token is derived from the cookie's random
/// value (SHA-256 with a label), so it needs no secret shared by the replicas and cannot be computed by a site
/// that cannot read the cookie.
enum SessionCookie {
    /// The session cookie's name.
    static let session = "accord_session"
    /// The login form's pre-session cookie's name.
    static let login = "accord_login"
    /// How long a login form may be left open before it has to be reloaded.
    static let loginFormLifetime = 3600

    /// The anti-forgery token of the forms shown under a cookie's value.
    static func csrfToken(for value: String) -> String {
        let digest = SHA256.hash(data: Data(("accord-csrf|" + value).utf8))
        return String(Data(digest).base64URLString.prefix(32))
    }

    /// Whether a form's token is the one of the cookie (constant time).
    static func matches(_ token: String?, cookie value: String?) -> Bool {
        guard let token, let value, !value.isEmpty else { return false }
        return constantTimeEqual(Array(token.utf8), Array(csrfToken(for: value).utf8))
    }

    /// A cookie with Accord's attributes.
    static func make(_ name: String, value: String, maxAge: Int, path: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: secure, httpOnly: true, sameSite: .strict)
    }
}
