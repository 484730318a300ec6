import Connectors
import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Ingest
import NIOCore
import PGClient
import PostgresTestSupport
import Projections
import Prometheus
import Server
import SyncDomain
import SyncEngine
import Testing

@Suite("Stripe webhooks", .timeLimit(.minutes(5)))
struct WebhookTests {
    static let secret = ServerHarness.webhookSecret

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    static func signed(_ body: String, timestamp: Int64 = now(), secrets: [String] = [secret]) -> HTTPFields {
        [HTTPField.Name("Stripe-Signature")!: StripeWebhookSigner(secrets: secrets).header(payload: Data(body.utf8), timestamp: timestamp)]
    }

    static func deliver(_ client: TestClient, _ body: String, tenant: String = "acme", headers: HTTPFields) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await client.request(.post, "/webhooks/stripe/\(tenant)", headers: headers, body: body)
    }

    static func observations(_ harness: ServerHarness) async throws -> [CustomerObserved] {
        try await harness.events().compactMap { if case .customerObserved(let e) = $0 { e } else { nil } }
    }

    @Test("a signed delivery is recorded, answered at once, then processed by re-fetching the customer")
    func acceptedAndProcessed() async throws {
        let stripe = FakeStripeCustomers()
        stripe.set(
            .customer(StripeCustomer(id: "cus_anna", email: "anna@example.com", name: "Anna (as Stripe has her now)", metadata: ["vip": "yes"])),
            for: "cus_anna")
        try await ServerHarness.run(stripe: stripe) { harness in
            let created = Self.now() - 5
            let body = stripeEventBody(
                id: "evt_1", type: "customer.created", customerID: "cus_anna", created: created, name: "Anna (stale copy in the event)")
            try await harness.withClient { client throws in
                let response = try await Self.deliver(client, body, headers: Self.signed(body))
                #expect(response.status == .ok)
                #expect(try response.json()["duplicate"] as? Bool == false)
                #expect(try response.json()["eventId"] as? String == "evt_1")
            }
            #expect(try await Self.observations(harness).isEmpty, "nothing is processed inside the request")
            #expect(try await harness.processInbox() == [.processed])
            #expect(stripe.fetches == ["cus_anna"])
            // First seen through its creation: recorded as created (the event's copy, no event id of its own), then as
            // Stripe has it now, which is what the customer holds.
            let observations = try await Self.observations(harness)
            #expect(observations.count == 2)
            #expect(observations.first?.fields["name"] == "Anna (stale copy in the event)" && observations.first?.sourceEventId == nil)
            let observed = try #require(observations.last)
            #expect(observed.customer == .stripe("cus_anna"))
            #expect(observed.fields["name"] == "Anna (as Stripe has her now)", "the event's own copy is not what the customer holds now")
            #expect(observed.fields["metadata.vip"] == "yes")
            #expect(observed.sourceEventId == "evt_1")
            #expect(observed.sourceUpdatedAt == Date(timeIntervalSince1970: TimeInterval(created)))
            let metadata = try #require(
                try await harness.store.readStream(try StreamID(StreamName.customer(.stripe("cus_anna")).rawValue), of: harness.acme).first
            )
            .decodedMetadata()
            #expect(metadata.actor == "stripe:webhook" && metadata.sourceEventID == "evt_1")
            try await harness.withClient { client throws in
                let inbox = try await client.get("/api/v1/webhooks/inbox", key: harness.acmeKey).jsonArray()
                #expect(inbox.first?["status"] as? String == "processed")
                #expect(inbox.first?["attempts"] as? Int == 1)
                #expect(try await client.get("/api/v1/webhooks/inbox", key: harness.globexKey).jsonArray().isEmpty)
            }
        }
    }

    @Test("an update processed before the customer's creation (held by a dead processor's lease) still records it as created first")
    func updateBeforeCreation() async throws {
        let stripe = FakeStripeCustomers()
        stripe.set(.customer(StripeCustomer(id: "cus_late", email: "late.new@example.com", name: "Late (now)")), for: "cus_late")
        try await ServerHarness.run(stripe: stripe) { harness in
            let created = stripeEventBody(
                id: "evt_late_c", type: "customer.created", customerID: "cus_late", created: Self.now() - 5, name: "Late (created)")
            let updated = stripeEventBody(id: "evt_late_u", customerID: "cus_late", created: Self.now())
            try await harness.withClient { client throws in
                #expect(try await Self.deliver(client, created, headers: Self.signed(created)).status == .ok)
                #expect(try await Self.deliver(client, updated, headers: Self.signed(updated)).status == .ok)
            }
            // A processor claimed the creation and died: it is not due again before its lease ends.
            try await harness.store.pool.withTransaction(scope: .system) { connection in
                try await connection.execute(
                    "UPDATE webhook_inbox SET attempts = 1, next_attempt_at = now() + interval '1 hour' WHERE event_id = 'evt_late_c'")
            }
            #expect(try await harness.processInbox() == [.processed])
            let observations = try await Self.observations(harness).filter { $0.customer == .stripe("cus_late") }
            #expect(observations.map { $0.fields["name"] } == ["Late (created)", "Late (now)"], "as created, then as Stripe has it now")
            #expect(observations.map(\.sourceEventId) == [nil, "evt_late_u"])
        }
    }

    @Test("a delivery signed by the official Python stripe package is accepted and processed")
    func pythonSigned() async throws {
        let stripe = FakeStripeCustomers()
        stripe.set(.customer(StripeCustomer(id: "cus_py", email: "py@example.com", name: "Søren Ærø")), for: "cus_py")
        try await ServerHarness.run(stripe: stripe) { harness in
            let body = stripeEventBody(id: "evt_py", type: "customer.created", customerID: "cus_py", created: Self.now(), name: "Søren Ærø")
            let header = try PythonStripe.signatureHeader(payload: body, secret: Self.secret, timestamp: Self.now())
            try await harness.withClient { client throws in
                let response = try await Self.deliver(client, body, headers: [HTTPField.Name("Stripe-Signature")!: header])
                #expect(response.status == .ok, "\(response.text)")
            }
            #expect(try await harness.processInbox() == [.processed])
            #expect(try await Self.observations(harness).first?.fields["name"] == "Søren Ærø")
        }
    }

    @Test("forged, stale, malformed and unsigned deliveries are 400 with a specific message, and nothing is recorded")
    func refused() async throws {
        try await ServerHarness.run { harness in
            let body = stripeEventBody(id: "evt_bad", customerID: "cus_x", created: Self.now())
            let name = HTTPField.Name("Stripe-Signature")!
            let cases: [(String, HTTPFields, String, String)] = [
                ("forged", Self.signed(body, secrets: ["whsec_someone_else"]), "signature_mismatch", "no v1 signature matches"),
                ("stale", Self.signed(body, timestamp: Self.now() - 301), "stale_timestamp", "tolerance"),
                ("malformed", [name: "t=yesterday,v1=abc"], "malformed_signature", "timestamp"),
                ("empty", [name: ""], "malformed_signature", "empty"),
                ("v0 only", [name: "t=\(Self.now()),v0=\(String(repeating: "0", count: 64))"], "no_v1_signature", "v1"),
                ("unsigned", [:], "missing_signature", "missing Stripe-Signature"),
            ]
            try await harness.withClient { client throws in
                for (label, headers, code, message) in cases {
                    let response = try await Self.deliver(client, body, headers: headers)
                    #expect(response.status == .badRequest, "\(label)")
                    #expect(response.errorCode == code, "\(label): \(response.text)")
                    #expect(response.errorMessage?.contains(message) == true, "\(label): \(response.text)")
                }
                // A body changed after signing.
                let tampered = body.replacingOccurrences(of: "From the event", with: "Changed")
                let changed = try await Self.deliver(client, tampered, headers: Self.signed(body))
                #expect(changed.errorCode == "signature_mismatch")
                // Correctly signed, but not a Stripe event.
                let notAnEvent = #"{"hello":"world"}"#
                let invalid = try await Self.deliver(client, notAnEvent, headers: Self.signed(notAnEvent))
                #expect(invalid.status == .badRequest)
                #expect(invalid.errorCode == "invalid_payload")
            }
            #expect(try await harness.inboxCount() == 0)
            #expect(try await harness.processInbox().isEmpty)
            #expect(try await harness.events().isEmpty)
        }
    }

    @Test("rolling secrets: a delivery signed with either configured secret is accepted")
    func rollingSecrets() async throws {
        try await ServerHarness.run { harness in
            harness.secrets.set(["whsec_new", Self.secret], for: harness.acme)
            let old = stripeEventBody(id: "evt_old_secret", customerID: "cus_x", created: Self.now())
            let both = stripeEventBody(id: "evt_both_secrets", customerID: "cus_x", created: Self.now())
            try await harness.withClient { client throws in
                #expect(try await Self.deliver(client, old, headers: Self.signed(old, secrets: [Self.secret])).status == .ok)
                #expect(try await Self.deliver(client, both, headers: Self.signed(both, secrets: ["whsec_unknown", "whsec_new"])).status == .ok)
            }
            #expect(try await harness.inboxCount() == 2)
        }
    }

    @Test("a duplicate delivery is acknowledged and recorded once")
    func duplicate() async throws {
        let stripe = FakeStripeCustomers()
        stripe.set(.customer(StripeCustomer(id: "cus_dup", name: "Dup")), for: "cus_dup")
        try await ServerHarness.run(stripe: stripe) { harness in
            let body = stripeEventBody(id: "evt_dup", customerID: "cus_dup", created: Self.now())
            try await harness.withClient { client throws in
                #expect(try await Self.deliver(client, body, headers: Self.signed(body)).status == .ok)
                let again = try await Self.deliver(client, body, headers: Self.signed(body, timestamp: Self.now() + 1))
                #expect(again.status == .ok)
                #expect(try again.json()["duplicate"] as? Bool == true)
            }
            #expect(try await harness.inboxCount(eventID: "evt_dup") == 1)
            #expect(try await harness.processInbox() == [.processed])
            try await harness.withClient { client throws in
                let late = try await Self.deliver(client, body, headers: Self.signed(body))
                #expect(try late.json()["duplicate"] as? Bool == true, "still a duplicate after processing")
            }
            #expect(try await harness.processInbox().isEmpty)
            #expect(stripe.fetches == ["cus_dup"])
            #expect(try await Self.observations(harness).count == 1)
        }
    }

    @Test("customer.deleted (a deleted stub or a 404 on re-fetch) is recorded as a deletion")
    func deleted() async throws {
        let stripe = FakeStripeCustomers()
        stripe.set(.customer(StripeCustomer(id: "cus_del", name: "Soon Gone")), for: "cus_del")
        try await ServerHarness.run(stripe: stripe) { harness in
            let created = stripeEventBody(id: "evt_c", type: "customer.created", customerID: "cus_del", created: Self.now() - 10)
            let deleted = stripeEventBody(id: "evt_d", type: "customer.deleted", customerID: "cus_del", created: Self.now(), name: "Soon Gone")
            try await harness.withClient { client throws in
                #expect(try await Self.deliver(client, created, headers: Self.signed(created)).status == .ok)
                #expect(try await harness.processInbox() == [.processed])
                stripe.set(.deleted(id: "cus_del"), for: "cus_del")
                #expect(try await Self.deliver(client, deleted, headers: Self.signed(deleted)).status == .ok)
                #expect(try await harness.processInbox() == [.processed])
            }
            let deletions = try await harness.events().compactMap { if case .customerDeleted(let e) = $0 { e } else { nil } }
            #expect(deletions.map(\.customer) == [.stripe("cus_del")])
            #expect(deletions.first?.sourceEventId == "evt_d")
            #expect(
                try await Self.observations(harness).map(\.sourceEventId) == [nil, "evt_c"],
                "created, then as Stripe had it; the deleted event's full customer was not observed")
        }
    }

    @Test("an unknown tenant, an invalid tenant id, a tenant without a webhook secret and a forged signature get the same answer")
    func unknownTenant() async throws {
        try await ServerHarness.run { harness in
            let body = stripeEventBody(id: "evt_t", customerID: "cus_x", created: Self.now())
            try await harness.withClient { client throws in
                let forged = try await Self.deliver(client, body, tenant: "acme", headers: Self.signed(body, secrets: ["whsec_not_acmes"]))
                #expect(forged.status == .badRequest)
                #expect(forged.errorCode == "signature_mismatch")
                for tenant in ["nobody", "NOT%20VALID", "globex"] {
                    let answer = try await Self.deliver(client, body, tenant: tenant, headers: Self.signed(body))
                    #expect(answer.status == forged.status, "\(tenant)")
                    #expect(answer.text == forged.text, "\(tenant): nothing tells it from a forged signature")
                }
                // A header that is not a signature is named as such, whoever the tenant.
                let unsigned = try await Self.deliver(client, body, tenant: "nobody", headers: [:])
                #expect(unsigned.errorCode == "missing_signature")
            }
            #expect(try await harness.inboxCount() == 0)
        }
    }

    @Test("other event types are acknowledged and ignored; a failed re-fetch is retried with backoff and recorded")
    func ignoredAndRetried() async throws {
        let stripe = FakeStripeCustomers()
        stripe.set(.customer(StripeCustomer(id: "cus_retry", name: "Retry")), for: "cus_retry")
        try await ServerHarness.run(stripe: stripe) { harness in
            let invoice = """
                {"id":"evt_inv","object":"event","created":\(Self.now()),"type":"invoice.paid","data":{"object":{"id":"in_1","object":"invoice"}}}
                """
            let update = stripeEventBody(id: "evt_retry", customerID: "cus_retry", created: Self.now())
            try await harness.withClient { client throws in
                #expect(try await Self.deliver(client, invoice, headers: Self.signed(invoice)).status == .ok)
                #expect(try await harness.processInbox() == [.ignored])
                stripe.failNext(1)
                #expect(try await Self.deliver(client, update, headers: Self.signed(update)).status == .ok)
                #expect(try await harness.processInbox() == [.retry])
                let entry = try #require(
                    try await client.get("/api/v1/webhooks/inbox", key: harness.acmeKey).jsonArray().first { $0["eventId"] as? String == "evt_retry" }
                )
                #expect(entry["status"] as? String == "pending")
                #expect((entry["lastError"] as? String)?.contains("connection reset") == true)
                let done = try await waitUntil(timeout: .seconds(10)) { try await harness.processInbox() == [.processed] }
                #expect(done)
            }
            #expect(try await Self.observations(harness).map(\.customer) == [.stripe("cus_retry")])
            let metrics = harness.server.metrics.registry.emitToString()
            #expect(metrics.contains(#"accord_inbox_processed_total{outcome="retry"} 1"#))
            #expect(metrics.contains(#"accord_inbox_processed_total{outcome="ignored"} 1"#))
        }
    }

    @Test("two customer.updated events delivered out of order (older last): the customer ends with the newest data (localstripe)")
    func outOfOrder() async throws {
        let source = StripeClientCustomerSource { _ in try LocalStripe.configuration() }
        try await ServerHarness.run(stripe: source) { harness in
            let client = try LocalStripe.client()
            let email = LocalStripe.uniqueEmail("order")
            let customer = try await client.createCustomer(fields: [.email: email, .name: "Version 1"])
            _ = try await client.updateCustomer(customerID: customer.id, fields: [.name: "Version 2"], idempotencyKey: UUID().uuidString)
            let t = Self.now()
            let newer = stripeEventBody(id: "evt_newer_\(customer.id)", customerID: customer.id, created: t, name: "Version 2")
            let older = stripeEventBody(id: "evt_older_\(customer.id)", customerID: customer.id, created: t - 30, name: "Version 1")
            try await harness.withClient { http throws in
                #expect(try await Self.deliver(http, newer, headers: Self.signed(newer)).status == .ok)
                #expect(try await harness.processInbox() == [.processed])
                #expect(try await Self.deliver(http, older, headers: Self.signed(older)).status == .ok)
                #expect(try await harness.processInbox() == [.processed])
            }
            let observed = try await Self.observations(harness)
            #expect(observed.count == 1, "the older event changed nothing")
            #expect(observed.last?.fields["name"] == "Version 2")
            #expect(observed.last?.fields["email"] == email)
            try await harness.waitForProjections()
            let row = try #require(try await TenantReadModels(store: harness.store).customer(harness.acme, .stripe(customer.id)))
            #expect(row.fields["name"] == "Version 2")

            // Deleted in Stripe (localstripe answers 404 on re-fetch): a customer.deleted event records the deletion.
            try await client.deleteCustomer(id: customer.id)
            let deleted = stripeEventBody(
                id: "evt_deleted_\(customer.id)", type: "customer.deleted", customerID: customer.id, created: t + 5, name: "Version 2")
            try await harness.withClient { http throws in
                #expect(try await Self.deliver(http, deleted, headers: Self.signed(deleted)).status == .ok)
            }
            #expect(try await harness.processInbox() == [.processed])
            #expect(try await harness.events().contains { if case .customerDeleted = $0 { true } else { false } })
        }
    }

    @Test("live: localstripe posts signed events to the running server, and the inbox processor (a service) records them")
    func liveFromLocalStripe() async throws {
        let source = StripeClientCustomerSource { _ in try LocalStripe.configuration() }
        try await ServerHarness.run(stripe: source) { harness in
            let live = AccordServer(configuration: ServerConfiguration(port: 0), dependencies: harness.server.dependencies)
            let processor = InboxProcessor(
                pool: harness.store.pool, commands: harness.handler, stripeCustomers: source, configuration: .init(pollInterval: .milliseconds(200)),
                metrics: live.metrics.inbox, doorbell: live.doorbell, logger: harness.database.logger)
            let webhookID = "accord-server-\(UUID().uuidString.lowercased())"
            let stripe = try LocalStripe.client()
            try await live.buildApplication().test(.live) { client in
                // The processor runs beside the server, as in `accord serve`'s service group.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await processor.run() }
                    defer { group.cancelAll() }
                    let port = try #require(client.port)
                    try await LocalStripe.configureWebhook(
                        id: webhookID, url: "http://127.0.0.1:\(port)/webhooks/stripe/acme", secret: ServerHarness.webhookSecret,
                        events: ["customer.created", "customer.updated"])
                    do {
                        let email = LocalStripe.uniqueEmail("live")
                        let customer = try await stripe.createCustomer(fields: [.email: email, .name: "Live A/S"])
                        _ = try await stripe.updateCustomer(
                            customerID: customer.id, fields: [.name: "Live Renamed A/S"], idempotencyKey: UUID().uuidString)
                        let arrived = try await waitUntil(timeout: .seconds(30)) {
                            try await Self.observations(harness).contains { $0.customer.id == customer.id && $0.fields["name"] == "Live Renamed A/S" }
                        }
                        #expect(arrived, "the renamed customer was not recorded")
                        #expect(
                            try await Self.observations(harness).filter { $0.customer.id == customer.id }.allSatisfy { $0.fields["email"] == email })
                    } catch {
                        try? await LocalStripe.disableWebhook(id: webhookID)
                        throw error
                    }
                    try await LocalStripe.disableWebhook(id: webhookID)
                }
            }
        }
    }
}
