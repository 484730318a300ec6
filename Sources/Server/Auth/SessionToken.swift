import Credentials
import Crypto
import EventStore
import Foundation

/// The web UI's session cookie: `<payload>.<signature>`, base64url, where the payload names the API key the
/// person logged in with, its tenant and an expiry, and the signature is HMAC-SHA256 under the server's
/// session secret. The secret part of the key is never in the cookie; every request re-checks that the key is
/// still live, so revoking a key ends its sessions at once.
struct SessionToken: Sendable, Hashable {
    /// The API key's public id.
    var keyID: String
    /// The tenant.
    var tenant: TenantID
    /// When the session ends.
    var expires: Date

    /// The cookie's name.
    static let cookieName = "accord_session"

    /// The signed cookie value.
    func encoded(secret: Data) -> String {
        let payload = Data("v1|\(keyID)|\(tenant.rawValue)|\(Int64(expires.timeIntervalSince1970))".utf8)
        let signature = Data(HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: secret)))
        return payload.base64URLString + "." + signature.base64URLString
    }

    /// Reads and checks a cookie value; `nil` when forged, malformed or expired.
    init?(cookie: String, secret: Data, now: Date = Date()) {
        let parts = cookie.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Data(base64URL: parts[0]), let signature = Data(base64URL: parts[1]) else { return nil }
        let expected = Data(HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: secret)))
        guard constantTimeEqual(expected, signature) else { return nil }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == "v1", let expiry = Int64(fields[3]), let tenant = try? TenantID(String(fields[2])) else { return nil }
        let expires = Date(timeIntervalSince1970: TimeInterval(expiry))
        guard expires > now else { return nil }
        self.init(keyID: String(fields[1]), tenant: tenant, expires: expires)
    }

    init(keyID: String, tenant: TenantID, expires: Date) {
        self.keyID = keyID
        self.tenant = tenant
        self.expires = expires
    }

    /// The anti-forgery token forms of this session carry (defence in depth on top of `SameSite=Strict`).
    static func csrfToken(forCookie cookie: String, secret: Data) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(("csrf|" + cookie).utf8), using: SymmetricKey(data: secret))
        return String(Data(code).base64URLString.prefix(32))
    }
}
