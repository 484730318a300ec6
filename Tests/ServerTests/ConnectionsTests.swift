import Credentials
import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import Testing

@Suite("connections to e-conomic and Stripe", .timeLimit(.minutes(5)))
struct ConnectionsTests {
    /// Nothing listens here: a connection test through it fails with the connector's message.
    static let unreachable = "http://127.0.0.1:9"

    @Test("the API connects e-conomic and Stripe (sealed like `accord tenant connect`), never shows a secret, tests each connection, per tenant")
    func api() async throws {
        try await ServerHarness.run { harness in
            try await harness.withClient { client throws in
                let key = harness.acmeKey
                let empty = try await client.get("/api/v1/connections", key: key).json()
                let economic = try #require(empty["economic"] as? [String: Any])
                let stripe = try #require(empty["stripe"] as? [String: Any])
                #expect(economic["connected"] as? Bool == false && stripe["connected"] as? Bool == false)
                #expect((stripe["webhookURL"] as? String)?.hasSuffix("/webhooks/stripe/acme") == true)
                #expect(try await client.post("/api/v1/connections/economic/test", key: key).status == .notFound)

                let refused = try await client.request(
                    .put, "/api/v1/connections/economic", key: key, json: #"{"appSecretToken": " ", "agreementGrantToken": "grant"}"#)
                #expect(refused.status == .unprocessableContent)
                #expect(refused.errorMessage?.contains("app secret token must not be empty") == true)

                let connected = try await client.request(
                    .put, "/api/v1/connections/economic", key: key,
                    json: #"{"baseURL": "\#(Self.unreachable)", "appSecretToken": "app-secret-1", "agreementGrantToken": "grant-secret-1"}"#)
                #expect(connected.status == .ok)
                #expect((try connected.json()["economic"] as? [String: Any])?["connected"] as? Bool == true)
                #expect(!connected.text.contains("app-secret-1") && !connected.text.contains("grant-secret-1"))
                let stored = try await harness.credentials.load(harness.acme)
                #expect(stored?.economic?.appSecretToken.revealed == "app-secret-1" && stored?.economic?.baseURL == Self.unreachable)

                let failed = try await client.post("/api/v1/connections/economic/test", key: key).json()
                #expect(failed["ok"] as? Bool == false)
                #expect((failed["message"] as? String)?.contains("e-conomic") == true)
                let afterTest = try await client.get("/api/v1/connections", key: key).json()
                #expect(((afterTest["economic"] as? [String: Any])?["lastCheck"] as? [String: Any])?["ok"] as? Bool == false)

                let stripeBase = try LocalStripe.baseURL()
                let stripeConnected = try await client.request(
                    .put, "/api/v1/connections/stripe", key: key,
                    json: #"{"apiBase": "\#(stripeBase)", "secretKey": "\#(LocalStripe.secretKey)", "webhookSecrets": ["whsec_one"]}"#)
                #expect(stripeConnected.status == .ok)
                #expect((try stripeConnected.json()["stripe"] as? [String: Any])?["webhookSecrets"] as? Int == 1)
                #expect(!stripeConnected.text.contains("whsec_one") && !stripeConnected.text.contains(LocalStripe.secretKey))
                let passed = try await client.post("/api/v1/connections/stripe/test", key: key).json()
                #expect(passed["ok"] as? Bool == true, "\(passed)")
                #expect(try await harness.credentials.load(harness.acme)?.economic != nil, "connecting Stripe keeps e-conomic")

                let other = try await client.get("/api/v1/connections", key: harness.globexKey).json()
                #expect((other["economic"] as? [String: Any])?["connected"] as? Bool == false)
                #expect(try await client.post("/api/v1/connections/economic/test", key: harness.globexKey).status == .notFound)
                #expect(try await client.post("/api/v1/connections/ftp/test", key: key).status == .notFound)
            }
        }
    }

    @Test("the sync screens say e-conomic is missing and disable their actions; the connections page connects, shows the webhook URL and tests")
    func pages() async throws {
        try await ServerHarness.run { harness in
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let locked = try await client.get("/ui/unpartnered", cookie: cookie)
                #expect(locked.text.contains("e-conomic is not connected") && locked.text.contains("<fieldset disabled"))
                #expect(locked.text.contains("href=\"/ui/connections\""))

                let page = try await client.get("/ui/connections", cookie: cookie)
                #expect(page.status == .ok)
                #expect(page.text.contains("/webhooks/stripe/acme") && page.text.contains("<label for=\"app_secret_token\""))
                let token = try #require(page.csrfToken)

                let refused = try await client.postForm(
                    "/ui/connections/economic", [("_csrf", token), ("app_secret_token", "app"), ("agreement_grant_token", "")], cookie: cookie)
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("id=\"economic-problem\"") && refused.text.contains("agreement grant token must not be empty"))

                let saved = try await client.postForm(
                    "/ui/connections/economic",
                    [("_csrf", token), ("app_secret_token", "app"), ("agreement_grant_token", "grant"), ("base_url", Self.unreachable)],
                    cookie: cookie)
                #expect(saved.status == .seeOther && saved.headers[.location] == "/ui/connections#economic")
                let connected = try await client.get("/ui/connections", cookie: cookie)
                #expect(connected.text.contains("Connected to <code>\(Self.unreachable)</code>"))
                #expect(!connected.text.contains("value=\"grant\""), "a secret is never shown again")

                let tested = try await client.postForm("/ui/connections/economic/test", [("_csrf", token)], cookie: cookie)
                #expect(tested.status == .seeOther)
                #expect(try await client.get("/ui/connections", cookie: cookie).text.contains("Tested "))

                let unlocked = try await client.get("/ui/unpartnered", cookie: cookie)
                #expect(!unlocked.text.contains("<fieldset disabled"))
                #expect(unlocked.text.contains("Stripe is not connected"), "what is still missing is said")
            }
        }
    }
}
