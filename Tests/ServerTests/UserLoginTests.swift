import Credentials
import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PGClient
import Server
import SyncDomain
import Testing

/// People who log in with an e-mail address and a password (issue 12): roles, the users page, sessions that end
/// with the user, throttling, and one answer for an unknown address and a wrong password.
@Suite("Users: password login and roles", .timeLimit(.minutes(5)))
struct UserLoginTests {
    static let password = "correct horse battery"

    @Test("a user logs in with e-mail and password; a wrong password and an unknown address get the same answer; what they do is recorded as theirs")
    func passwordLogin() async throws {
        try await ServerHarness.run { harness in
            let users = UserStore(pool: harness.store.pool, cost: 4)
            _ = try await users.add(email: " Anna@Acme.test ", password: Self.password, role: .admin, tenant: harness.acme)
            try await harness.observe(.stripe("cus_1"), ["name": "Anna's Bakery", "email": "bakery@example.com"])
            try await harness.withClient { client in
                let wrong = try await client.submitLogin(email: "anna@acme.test", password: "not the password at all")
                let unknown = try await client.submitLogin(email: "nobody@acme.test", password: Self.password)
                #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
                #expect(wrong.text.contains("The e-mail address or the password is not right."))
                #expect(unknown.text.contains("The e-mail address or the password is not right."))
                #expect(!wrong.text.contains("Anna") && !wrong.text.contains("anna"), "the page does not echo the address")

                let cookie = try await client.login(email: "ANNA@acme.test", password: Self.password)
                let overview = try await client.get("/ui", cookie: cookie)
                #expect(overview.status == .ok)
                #expect(overview.text.contains("anna@acme.test · admin"))
                let token = try #require(overview.csrfToken)
                let excluded = try await client.postForm("/ui/customers/stripe/cus_1/exclude", [("_csrf", token)], cookie: cookie)
                #expect(excluded.status == .seeOther)
            }
            let actor = try await harness.store.pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT metadata->>'actor' FROM events ORDER BY global_position DESC LIMIT 1").singleValue(String.self)
            }
            #expect(actor == "user:anna@acme.test")
        }
    }

    @Test("a viewer reads every page and changes nothing: each post is 403 before its body is read, and the forms are hidden")
    func viewerReadsOnly() async throws {
        try await ServerHarness.run { harness in
            _ = try await UserStore(pool: harness.store.pool, cost: 4).add(
                email: "vera@acme.test", password: Self.password, role: .viewer, tenant: harness.acme)
            try await harness.observe(.stripe("cus_1"), ["name": "Anna's Bakery", "email": "bakery@example.com"])
            try await harness.withClient { client in
                let cookie = try await client.login(email: "vera@acme.test", password: Self.password)
                for page in ["/ui", "/ui/settings", "/ui/unpartnered?side=source", "/ui/users", "/ui/connections", "/ui/imports"] {
                    let response = try await client.get(page, cookie: cookie)
                    #expect(response.status == .ok, "\(page)")
                    #expect(response.text.contains("<body class=\"viewer\">"), "\(page)")
                    #expect(response.text.contains("You are a viewer"), "\(page)")
                }
                let token = try #require(try await client.get("/ui", cookie: cookie).csrfToken)
                for post in ["/ui/customers/stripe/cus_1/exclude", "/ui/settings", "/ui/users", "/ui/imports", "/ui/connections/economic"] {
                    let refused = try await client.postForm(post, [("_csrf", token)], cookie: cookie)
                    #expect(refused.status == .forbidden, "\(post)")
                    #expect(refused.text.contains("Your role is viewer"), "\(post)")
                    #expect(refused.text.contains("vera@acme.test · viewer"), "the refusal keeps the page around it")
                }
                let users = try await client.get("/ui/users", cookie: cookie)
                #expect(users.text.contains("Only an admin adds or removes people."))
                // Logging out is still a viewer's to do.
                #expect(try await client.postForm("/logout", [("_csrf", token)], cookie: cookie).headers[.location] == "/login")
            }
            let events = try await harness.store.pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT count(*) FROM events WHERE type <> 'CustomerObserved'").singleValue(Int.self)
            }
            #expect(events == 0, "a viewer's posts changed nothing")
        }
    }

    @Test("an admin adds and removes people on the users page; a refusal keeps what was typed; removing a user ends their sessions")
    func usersPage() async throws {
        try await ServerHarness.run { harness in
            try await harness.withClient { client in
                let admin = try await client.login(harness.acmeKey)
                let page = try await client.get("/ui/users", cookie: admin)
                #expect(page.text.contains("No one logs in with a password yet."))
                let token = try #require(page.csrfToken)

                let short = try await client.postForm(
                    "/ui/users", [("_csrf", token), ("email", "ben@acme.test"), ("role", "admin"), ("password", "short")], cookie: admin)
                #expect(short.status == .unprocessableContent)
                #expect(short.text.contains("A password needs at least 12 characters."))
                #expect(short.text.contains(#"value="ben@acme.test""#), "the address typed is kept")
                #expect(short.text.contains(#"<option value="admin" selected>"#), "the role chosen is kept")
                let notAnAddress = try await client.postForm(
                    "/ui/users", [("_csrf", token), ("email", "ben"), ("role", "viewer"), ("password", Self.password)], cookie: admin)
                #expect(notAnAddress.status == .unprocessableContent)
                #expect(notAnAddress.text.contains("is not an e-mail address"))

                let added = try await client.postForm(
                    "/ui/users", [("_csrf", token), ("email", "ben@acme.test"), ("role", "viewer"), ("password", Self.password)], cookie: admin)
                #expect(added.status == .seeOther)
                #expect(added.headers[.location] == "/ui/users")
                #expect(added.flash == "notice: Added ben@acme.test as a viewer. Give them their first password in person.")
                let listed = try await client.get("/ui/users", cookie: admin)
                #expect(listed.text.contains("ben@acme.test") && listed.text.contains("Viewer (reads only)"))
                let taken = try await client.postForm(
                    "/ui/users", [("_csrf", token), ("email", "BEN@acme.test"), ("role", "viewer"), ("password", Self.password)], cookie: admin)
                #expect(taken.text.contains("Another login already uses ben@acme.test."))

                // Another tenant's admin cannot see or remove acme's people.
                let globex = try await client.login(harness.globexKey)
                let globexPage = try await client.get("/ui/users", cookie: globex)
                #expect(!globexPage.text.contains("ben@acme.test"))

                let ben = try await client.login(email: "ben@acme.test", password: Self.password)
                #expect(try await client.get("/ui", cookie: ben).status == .ok)
                let userID = try #require(try await UserStore(pool: harness.store.pool).list(tenant: harness.acme).first?.userID)
                let globexToken = try #require(globexPage.csrfToken)
                let foreign = try await client.postForm("/ui/users/\(userID)/remove", [("_csrf", globexToken)], cookie: globex)
                #expect(foreign.status == .notFound)
                #expect(try await client.get("/ui", cookie: ben).status == .ok)

                let removed = try await client.postForm("/ui/users/\(userID)/remove", [("_csrf", token)], cookie: admin)
                #expect(removed.status == .seeOther)
                #expect(removed.flash == "notice: Removed ben@acme.test; their sessions have ended.")
                let after = try await client.get("/ui", cookie: ben)
                #expect(after.status == .seeOther && after.headers[.location] == "/login", "the removed user's session ended")
                #expect(try await client.submitLogin(email: "ben@acme.test", password: Self.password).status == .unauthorized)
            }
        }
    }

    @Test("password logins are throttled per address and per e-mail address, before the password is checked")
    func throttling() async throws {
        try await ServerHarness.run { harness in
            _ = try await UserStore(pool: harness.store.pool, cost: 4).add(
                email: "anna@acme.test", password: Self.password, role: .admin, tenant: harness.acme)
            let configuration = ServerConfiguration(port: 0, limits: .off, loginThrottle: LoginThrottle.Policy(freeFailures: 2, firstBlock: .seconds(600)))
            let server = AccordServer(configuration: configuration, dependencies: harness.server.dependencies)
            try await server.buildApplication().test(.router) { raw in
                let client = TestClient(client: raw)
                for _ in 0..<2 {
                    #expect(try await client.submitLogin(email: "anna@acme.test", password: "a wrong guess, again").status == .unauthorized)
                }
                let blocked = try await client.submitLogin(email: "Anna@acme.test", password: Self.password)
                #expect(blocked.status == .tooManyRequests, "the right password is not even checked while the address is blocked")
                #expect(blocked.text.contains("Too many failed attempts"))
            }
        }
    }

    @Test("the store: addresses are one per person across tenants, passwords 12 to 72 bytes, only a bcrypt hash is kept")
    func store() async throws {
        try await ServerHarness.run { harness in
            let users = UserStore(pool: harness.store.pool, cost: 4)
            let anna = try await users.add(email: "anna@acme.test", password: Self.password, role: .viewer, tenant: harness.acme)
            #expect(anna.email == "anna@acme.test" && anna.role == .viewer)
            await #expect(throws: UserStore.Error(description: "another login already uses anna@acme.test")) {
                try await users.add(email: "ANNA@acme.test", password: Self.password, role: .admin, tenant: harness.globex)
            }
            await #expect(throws: UserStore.Error(description: "a password may have at most 72 bytes (bcrypt reads no more)")) {
                try await users.add(email: "long@acme.test", password: String(repeating: "æ", count: 37), role: .admin, tenant: harness.acme)
            }
            await #expect(throws: UserStore.Error(description: "tenant nowhere does not exist")) {
                try await users.add(email: "x@nowhere.test", password: Self.password, role: .admin, tenant: try TenantID("nowhere"))
            }
            for bad in ["", "anna", "@acme.test", "anna@acme", "an na@acme.test", "a@b@c.test"] {
                #expect(throws: UserStore.Error.self, "\(bad)") { try UserStore.normalized(bad) }
            }
            let stored = try await harness.store.pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT password_hash FROM tenant_users").singleValue(String.self)
            }
            #expect(stored?.hasPrefix("$2b$04$") == true, "a bcrypt hash at the store's cost")
            #expect(stored?.contains(Self.password) == false)
            #expect(try await users.authenticate(email: "anna@acme.test", password: Self.password) == .valid(tenant: harness.acme, userID: anna.userID, role: .viewer))
            #expect(try await users.authenticate(email: "anna@acme.test", password: Self.password + "!") == .unknown)
            #expect(try await users.list(tenant: harness.globex).isEmpty)
        }
    }
}
