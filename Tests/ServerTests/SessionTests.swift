import Credentials
import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PGClient
import Server
import Synchronization
import Testing

@Suite("Web sessions, login throttling and CSRF", .timeLimit(.minutes(5)))
struct SessionTests {
    @Test("logout ends the session: the cookie replayed afterwards gets the login page, and the row is gone")
    func logout() async throws {
        try await ServerHarness.run { harness in
            try await harness.withClient { client in
                let cookie = try await client.login(harness.acmeKey)
                #expect(try await sessionCount(harness) == 1)
                let page = try await client.get("/ui", cookie: cookie)
                #expect(page.status == .ok)
                let token = try #require(page.csrfToken)

                let forged = try await client.postForm("/logout", [("_csrf", "not-the-token")], cookie: cookie)
                #expect(forged.status == .seeOther)
                #expect(try await client.get("/ui", cookie: cookie).status == .ok, "a logout without the page's token ends nothing")

                let out = try await client.postForm("/logout", [("_csrf", token)], cookie: cookie)
                #expect(out.status == .seeOther)
                #expect(out.headers[.location] == "/login")
                let replayed = try await client.get("/ui", cookie: cookie)
                #expect(replayed.status == .seeOther)
                #expect(replayed.headers[.location] == "/login")
                #expect(try await sessionCount(harness) == 0)
            }
        }
    }

    @Test("revoking the API key deletes its sessions, and only its own")
    func revocation() async throws {
        try await ServerHarness.run { harness in
            try await harness.withClient { client in
                let acme = try await client.login(harness.acmeKey)
                let globex = try await client.login(harness.globexKey)
                #expect(try await sessionCount(harness) == 2)
                let keyID = String(harness.acmeKey.dropFirst(3).prefix(16))
                #expect(try await harness.apiKeys.revoke(keyID: keyID, tenant: harness.acme))
                #expect(try await sessionCount(harness) == 1)
                let revoked = try await client.get("/ui", cookie: acme)
                #expect(revoked.status == .seeOther)
                #expect(revoked.headers[.location] == "/login")
                #expect(try await client.get("/ui", cookie: globex).status == .ok)
            }
        }
    }

    @Test("sessions live in PostgreSQL: another replica serves them; only the token's hash is stored, unreadable in a tenant's scope")
    func sharedAndHashed() async throws {
        try await ServerHarness.run { harness in
            let other = AccordServer(configuration: ServerConfiguration(port: 0, limits: .off), dependencies: harness.server.dependencies)
            let cookie = try await harness.loginCookie()
            try await other.buildApplication().test(.router) { client in
                let page = try await TestClient(client: client).get("/ui", cookie: cookie)
                #expect(page.status == .ok)
                #expect(page.text.contains("acme"))
            }
            let token = String(cookie.split(separator: "=", maxSplits: 1)[1])
            let stored = try await harness.store.pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT token_hash FROM web_sessions").decode(Data.self)
            }
            #expect(stored.count == 1)
            #expect(stored.first != Data(token.utf8))
            #expect(stored.first?.count == 32)
            let error = await #expect(throws: PGError.self) {
                try await harness.store.pool.withTransaction(scope: .tenant(harness.acme)) { connection in
                    try await connection.query("SELECT token_hash FROM web_sessions")
                }
            }
            #expect(error?.sqlState == .insufficientPrivilege)
            let othersSeen = try await harness.store.pool.withTransaction(scope: .tenant(harness.globex)) { connection in
                try await connection.query("SELECT count(*) FROM web_sessions").singleValue(Int.self)
            }
            #expect(othersSeen == 0, "row-level security hides acme's sessions from globex")
        }
    }

    @Test("a session expires; expired rows are deleted at the next login")
    func expiry() async throws {
        try await ServerHarness.run { harness in
            let sessions = SessionStore(pool: harness.store.pool)
            let keyID = String(harness.acmeKey.dropFirst(3).prefix(16))
            let expired = try await sessions.open(tenant: harness.acme, holder: .apiKey(keyID), lifetime: .zero)
            #expect(try await sessions.find(expired) == nil)
            let live = try await sessions.open(tenant: harness.acme, holder: .apiKey(keyID), lifetime: .seconds(600))
            #expect(try await sessions.find(live) == SessionStore.Session(tenant: harness.acme, holder: .apiKey(keyID), role: .admin))
            #expect(try await sessionCount(harness) == 1, "the expired one was deleted when the live one was opened")
            #expect(try await sessions.find("not a token") == nil)
        }
    }

    @Test("login CSRF: a post without the form's token, or with another browser's, is 403 and opens no session")
    func loginCSRF() async throws {
        try await MemoryHarness.run { harness in
            try await harness.withClient { client in
                let bare = try await client.postForm("/login", [("api_key", harness.acmeKey)])
                #expect(bare.status == .forbidden)
                #expect(bare.headers[.setCookie]?.hasPrefix("accord_login=") == true, "a fresh form comes with the refusal")

                let mine = try await client.loginForm()
                let theirs = try await client.loginForm()
                let crossed = try await client.request(
                    .post, "/login", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: theirs.cookie],
                    body: "_csrf=\(TestClient.encode(mine.token))&api_key=\(TestClient.encode(harness.acmeKey))")
                #expect(crossed.status == .forbidden)
                #expect(crossed.headers[.setCookie]?.contains("accord_session") != true)

                let tokenOnly = try await client.postForm("/login", [("_csrf", mine.token), ("api_key", harness.acmeKey)])
                #expect(tokenOnly.status == .forbidden, "the token without its cookie is refused")
                #expect(try await client.submitLogin(harness.acmeKey).status == .seeOther)
            }
        }
    }

    @Test("login throttling: after the free failures an address and a key id are blocked (429, Retry-After) before the key is checked")
    func throttling() async throws {
        try await MemoryHarness.run { base in
            var configured = base
            configured.configuration.limits = EdgeLimits(
                perClient: nil, perTenant: nil, webhooksPerTenant: nil, trustedProxies: ["127.0.0.1", "::1"])
            configured.configuration.loginThrottle = LoginThrottle.Policy(freeFailures: 2, firstBlock: .seconds(600))
            let forwarded = HTTPField.Name("X-Forwarded-For")!
            let harness = configured
            try await harness.withClient(.live) { client in
                let acmeID = String(harness.acmeKey.dropFirst(3).prefix(16))
                let guess = "ak_\(acmeID)_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                for _ in 0..<2 {
                    #expect(try await client.submitLogin(guess, headers: [forwarded: "198.51.100.1"]).status == .unauthorized)
                }
                let blocked = try await client.submitLogin(guess, headers: [forwarded: "198.51.100.1"])
                #expect(blocked.status == .tooManyRequests)
                #expect(blocked.text.contains("Too many failed attempts"))
                let retryAfter = try #require(blocked.headers[.retryAfter].flatMap { Int($0) })
                #expect(retryAfter > 0)

                // The key id is blocked from another address too, even with the right secret...
                #expect(try await client.submitLogin(harness.acmeKey, headers: [forwarded: "198.51.100.2"]).status == .tooManyRequests)
                // ...while another key from that address is not,
                #expect(try await client.submitLogin(harness.globexKey, headers: [forwarded: "198.51.100.2"]).status == .seeOther)
                // and the guessing address is blocked for every key.
                #expect(try await client.submitLogin(harness.globexKey, headers: [forwarded: "198.51.100.1"]).status == .tooManyRequests)
            }
        }
    }
}

extension ServerHarness {
    /// Logs in as acme on this harness's server; the session cookie (`name=value`).
    func loginCookie() async throws -> String {
        let cookie = Mutex("")
        try await withClient { client in
            let value = try await client.login(acmeKey)
            cookie.withLock { $0 = value }
        }
        return cookie.withLock { $0 }
    }
}

/// The sessions stored, of every tenant.
private func sessionCount(_ harness: ServerHarness) async throws -> Int {
    try await harness.store.pool.withTransaction(scope: .system) { connection in
        try await connection.query("SELECT count(*) FROM web_sessions").singleValue(Int.self) ?? 0
    }
}
