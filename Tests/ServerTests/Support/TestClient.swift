import Credentials
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A client with helpers for JSON, API keys, forms and cookies.
struct TestClient: Sendable {
    let client: any TestClientProtocol

    func request(
        _ method: HTTPRequest.Method, _ uri: String, key: String? = nil, json: String? = nil, headers: HTTPFields = [:], body: String? = nil
    ) async throws -> TestResponse {
        var headers = headers
        if let key { headers[.authorization] = "Bearer \(key)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: (json ?? body).map { ByteBuffer(string: $0) })
    }

    func get(_ uri: String, key: String? = nil, cookie: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await request(.get, uri, key: key, headers: headers)
    }

    func post(_ uri: String, key: String? = nil, json: String? = nil) async throws -> TestResponse {
        try await request(.post, uri, key: key, json: json)
    }

    /// Posts a form (with the session cookie, when given).
    func postForm(_ uri: String, _ fields: [(String, String)], cookie: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await request(.post, uri, headers: headers, body: body)
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Logs in with an API key through the login page (its form token and pre-session cookie); returns the
    /// session cookie (`name=value`).
    func login(_ key: String) async throws -> String {
        let response = try await submitLogin(key)
        #expect(response.status == .seeOther)
        let setCookie = try #require(response.headers[.setCookie])
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.contains("SameSite=Strict"))
        return String(setCookie.split(separator: ";")[0])
    }

    /// Loads the login page and posts its form with `key` (and `headers`, e.g. `X-Forwarded-For`).
    func submitLogin(_ key: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await submitLoginForm([("api_key", key)], headers: headers)
    }

    /// Loads the login page and posts its form with an e-mail address and password.
    func submitLogin(email: String, password: String) async throws -> TestResponse {
        try await submitLoginForm([("email", email), ("password", password)])
    }

    /// Logs in as a user; returns the session cookie (`name=value`).
    func login(email: String, password: String) async throws -> String {
        let response = try await submitLogin(email: email, password: password)
        #expect(response.status == .seeOther)
        let setCookie = try #require(response.headers[.setCookie])
        return String(setCookie.split(separator: ";")[0])
    }

    /// Loads the login page and posts its form (its token and pre-session cookie) with `fields`.
    private func submitLoginForm(_ fields: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        let form = try await loginForm()
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        headers[.cookie] = form.cookie
        let body = ([("_csrf", form.token)] + fields).map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await request(.post, "/login", headers: headers, body: body)
    }

    /// The login page's form token and its pre-session cookie (`name=value`).
    func loginForm() async throws -> (token: String, cookie: String) {
        let page = try await get("/login")
        let setCookie = try #require(page.headers[.setCookie])
        return (try #require(page.csrfToken), String(setCookie.split(separator: ";")[0]))
    }
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body decoded as JSON.
    func json() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    /// The body decoded as a JSON array.
    func jsonArray() throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], "not a JSON array: \(text)")
    }

    /// The `items` of a page (`{"items": [...], "total": …}`).
    func jsonItems() throws -> [[String: Any]] {
        try #require(try json()["items"] as? [[String: Any]], "not a page of items: \(text)")
    }

    /// `error.code` of an error answer.
    var errorCode: String? { ((try? json())?["error"] as? [String: Any])?["code"] as? String }

    /// `error.message` of an error answer.
    var errorMessage: String? { ((try? json())?["error"] as? [String: Any])?["message"] as? String }

    /// The first form action on the page whose path matches `path` (a regular expression, e.g. `/ui/conflicts/[^"]+/resolve`).
    func formAction(_ path: String) -> String? {
        text.range(of: #"action=""# + path + #"""#, options: .regularExpression).map { String(text[$0].dropFirst(8).dropLast()) }
    }

    /// The message an action left for the next page (its `accord_flash` cookie), as `notice: …`, `info: …` or `error: …`.
    var flash: String? {
        guard let cookie = flashCookie else { return nil }
        let parts = cookie.dropFirst("accord_flash=".count).split(separator: ".")
        guard parts.count == 3, let text = Data(base64URL: parts[1]) else { return nil }
        let kind = ["n": "notice", "i": "info", "e": "error"][String(parts[0].prefix { $0 != "~" })] ?? "?"
        return kind + ": " + String(decoding: text, as: UTF8.self)
    }

    /// The `accord_flash=…` cookie an action set, to send with the next page's request.
    var flashCookie: String? {
        headers[values: .setCookie].first { $0.hasPrefix("accord_flash=") }.map { String($0.split(separator: ";")[0]) }
    }

    /// The anti-forgery token of the first form on the page.
    var csrfToken: String? {
        guard let range = text.range(of: #"name="_csrf" value=""#) else { return nil }
        let rest = text[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
