import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PGClient
import Projections
import Prometheus
import Server
import SyncDomain
import SyncEngine
import Testing

@Suite("JSON API", .timeLimit(.minutes(5)))
struct APITests {
    @Test("customers: list by side and search with paging; one customer with link, mapped preview and its history")
    func customers() async throws {
        try await MemoryHarness.run { harness in
            try await harness.manualCreation()
            let anna = CustomerRef.stripe("cus_anna")
            try await harness.observe(anna, ["name": "Anna Jensen", "email": "anna@example.com", "address.city": "Aarhus"])
            try await harness.observe(anna, ["name": "Anna Jensen", "email": "anna@example.com", "address.city": "Odense"])
            try await harness.observe(.stripe("cus_bo"), ["name": "Bo Berg", "email": "bo@example.com"])
            try await harness.observe(.stripe("cus_nomail"), ["name": "No Mail"])
            try await harness.observe(.economic(1042), ["name": "Carla", "email": "carla@example.com", "currency": "DKK"])
            try await harness.settle()
            try await harness.withClient { client throws in
                let key = harness.acmeKey
                let all = try await client.get("/api/v1/customers", key: key).json()
                #expect(all["total"] as? Int == 4)
                let page = try await client.get("/api/v1/customers?side=source&limit=2&offset=1", key: key).json()
                #expect(page["total"] as? Int == 3)
                let items = try #require(page["items"] as? [[String: Any]])
                #expect(items.map { $0["name"] as? String } == ["Bo Berg", "No Mail"], "sorted by name, offset 1")
                let search = try await client.get("/api/v1/customers?search=ANNA", key: key).json()
                #expect((search["items"] as? [[String: Any]])?.first?["ref"] as? String == "stripe:cus_anna")
                #expect(try await client.get("/api/v1/customers?search=100%25", key: key).json()["total"] as? Int == 0, "% is literal")
                #expect(try await client.get("/api/v1/customers?side=economic", key: key).json()["total"] as? Int == 1)

                let badSide = try await client.get("/api/v1/customers?side=paypal", key: key)
                #expect(badSide.status == .unprocessableContent)
                #expect(badSide.errorMessage?.contains("paypal") == true)
                let badLimit = try await client.get("/api/v1/customers?limit=5000", key: key)
                #expect(badLimit.status == .unprocessableContent)
                #expect(badLimit.errorMessage?.contains("limit") == true)

                let detail = try await client.get("/api/v1/customers/stripe/cus_anna", key: key).json()
                #expect((detail["fields"] as? [String: String])?["address.city"] == "Odense")
                #expect((detail["mapped"] as? [String: String])?["city"] == "Odense", "the e-conomic preview")
                let history = try #require(detail["history"] as? [[String: Any]])
                #expect(history.map { $0["type"] as? String } == ["CustomerObserved", "CustomerObserved"])
                let changes = try #require(history[1]["changes"] as? [[String: Any]])
                #expect(changes.count == 1)
                #expect(changes.first?["field"] as? String == "address.city")
                #expect(changes.first?["from"] as? String == "Aarhus" && changes.first?["to"] as? String == "Odense")
                #expect(history[1]["actor"] as? String == "user:test")
                #expect(((history[0]["data"] as? [String: Any])?["fields"] as? [String: String])?["address.city"] == "Aarhus")

                let failure = try await client.get("/api/v1/customers/stripe/cus_nomail", key: key).json()
                #expect(((failure["customer"] as? [String: Any])?["matchFailure"] as? String)?.contains("email") == true)
                let failures = try await client.get("/api/v1/match-failures", key: key).jsonItems()
                #expect(failures.map { $0["ref"] as? String } == ["stripe:cus_nomail"])

                let unknown = try await client.get("/api/v1/customers/stripe/cus_nobody", key: key)
                #expect(unknown.status == .notFound)
                #expect(unknown.errorCode == "not_found")
                #expect(try await client.get("/api/v1/customers/paypal/x", key: key).status == .notFound)

                let unpartnered = try await client.get("/api/v1/unpartnered?side=source", key: key).json()
                #expect(unpartnered["total"] as? Int == 3)
                #expect(try await client.get("/api/v1/unpartnered?side=economic", key: key).json()["total"] as? Int == 1)
                #expect(try await client.get("/api/v1/unpartnered?side=left", key: key).status == .unprocessableContent)
            }
        }
    }

    @Test("don't synchronise and undo; the wrong order is a 409 naming the customer")
    func excludeInclude() async throws {
        try await MemoryHarness.run { harness in
            try await harness.manualCreation()
            try await harness.observe(.stripe("cus_anna"), ["name": "Anna", "email": "anna@example.com"])
            try await harness.withClient { client throws in
                let key = harness.acmeKey
                let excluded = try await client.post("/api/v1/customers/stripe/cus_anna/exclude", key: key)
                #expect(excluded.status == .ok)
                #expect(try excluded.json()["events"] as? [String] == ["CustomerExcluded"])
                let again = try await client.post("/api/v1/customers/stripe/cus_anna/exclude", key: key)
                #expect(again.status == .conflict)
                #expect(again.errorCode == "rejected")
                #expect(again.errorMessage?.contains("already excluded") == true)
                #expect(try await client.post("/api/v1/customers/stripe/cus_anna/include", key: key).status == .ok)
                let unknown = try await client.post("/api/v1/customers/stripe/cus_nobody/include", key: key)
                #expect(unknown.status == .conflict)
                #expect(unknown.errorMessage?.contains("not known") == true)
            }
        }
    }

    @Test("create partner with each numbering; a taken number is 409, a bad numbering 422; create partners for all")
    func createPartners() async throws {
        try await MemoryHarness.run { harness in
            try await harness.manualCreation()
            try await harness.observe(.stripe("cus_anna"), ["name": "Anna", "email": "anna@example.com"])
            try await harness.observe(.stripe("cus_bo"), ["name": "Bo", "email": "bo@example.com"])
            try await harness.observe(.stripe("cus_cy"), ["name": "Cy", "email": "cy@example.com", "customer_number": "77"])
            try await harness.observe(.economic(42), ["name": "Someone", "email": "someone@example.com", "currency": "DKK"])
            try await harness.observe(.file("7001"), ["name": "Frida", "email": "frida@example.com"])
            try await harness.settle()
            try await harness.withClient { client throws in
                let key = harness.acmeKey
                let taken = try await client.post(
                    "/api/v1/customers/stripe/cus_anna/create-partner", key: key, json: #"{"numbering":{"mode":"explicit","number":42}}"#)
                #expect(taken.status == .conflict)
                #expect(taken.errorMessage?.contains("42") == true)
                let badMode = try await client.post(
                    "/api/v1/customers/stripe/cus_anna/create-partner", key: key, json: #"{"numbering":{"mode":"random"}}"#)
                #expect(badMode.status == .unprocessableContent)
                #expect(badMode.errorMessage?.contains("random") == true)
                let noNumber = try await client.post(
                    "/api/v1/customers/stripe/cus_anna/create-partner", key: key, json: #"{"numbering":{"mode":"explicit"}}"#)
                #expect(noNumber.status == .unprocessableContent)
                #expect(noNumber.errorMessage?.contains("number") == true)
                let wrongType = try await client.post(
                    "/api/v1/customers/stripe/cus_anna/create-partner", key: key, json: #"{"numbering":{"mode":"explicit","number":"x"}}"#)
                #expect(wrongType.status == .unprocessableContent)
                #expect(wrongType.errorMessage?.contains("numbering.number") == true)
                let malformed = try await client.post("/api/v1/customers/stripe/cus_anna/create-partner", key: key, json: "{nope")
                #expect(malformed.status == .badRequest)
                #expect(malformed.errorCode == "malformed_json")

                let created = try await client.post(
                    "/api/v1/customers/stripe/cus_anna/create-partner", key: key, json: #"{"numbering":{"mode":"explicit","number":43}}"#)
                #expect(created.status == .accepted)
                #expect(try created.json()["events"] as? [String] == ["PartnerCreationRequested", "EconomicWriteRequested"])
                let sameAsSource = try await client.post(
                    "/api/v1/customers/stripe/cus_cy/create-partner", key: key, json: #"{"numbering":{"mode":"sameAsSource"}}"#)
                #expect(sameAsSource.status == .accepted)
                #expect(try await client.post("/api/v1/customers/stripe/cus_anna/create-partner", key: key).status == .conflict, "already pending")

                let pending = try await client.get("/api/v1/pending-creations", key: key).jsonArray()
                #expect(Set(pending.compactMap { $0["customerNumber"] as? Int }) == [43, 77])

                let all = try await client.post(
                    "/api/v1/unpartnered/source/create-partners", key: key, json: #"{"numbering":{"mode":"economicAssigns"}}"#)
                #expect(all.status == .accepted)
                // The source side is every Stripe and file customer, as the unpartnered list shows them.
                #expect(try all.json()["created"] as? [String] == ["file:7001", "stripe:cus_bo"])
                #expect(try await client.post("/api/v1/unpartnered/left/create-partners", key: key).status == .notFound)
            }
            let writes = try await harness.events().compactMap { event -> EconomicWriteRequested? in
                if case .economicWriteRequested(let write) = event { write } else { nil }
            }
            #expect(writes.map { $0.payload["customerNumber"] } == ["43", "77", nil, nil])
        }
    }

    @Test("select partner, already partnered, stop, restart, unlink; unknown links are refused")
    func partnering() async throws {
        try await MemoryHarness.run { harness in
            try await harness.manualCreation()
            try await harness.observe(.stripe("cus_anna"), ["name": "Anna", "email": "anna@example.com"])
            try await harness.observe(.stripe("cus_bo"), ["name": "Bo", "email": "bo@example.com"])
            try await harness.observe(.economic(1), ["name": "Anna", "email": "anna@example.com", "currency": "DKK"])
            try await harness.withClient { client throws in
                let key = harness.acmeKey
                let badSource = try await client.post("/api/v1/links", key: key, json: #"{"source":"economic:1","economic":"economic:1"}"#)
                #expect(badSource.status == .unprocessableContent)
                #expect(badSource.errorMessage?.contains("source") == true)
                let badEconomic = try await client.post("/api/v1/links", key: key, json: #"{"source":"stripe:cus_anna","economic":"cus_x"}"#)
                #expect(badEconomic.status == .unprocessableContent)
                let missing = try await client.post("/api/v1/links", key: key, json: #"{"source":"stripe:cus_anna"}"#)
                #expect(missing.status == .unprocessableContent)
                #expect(missing.errorMessage?.contains("economic") == true)

                let linked = try await client.post("/api/v1/links", key: key, json: #"{"source":"stripe:cus_anna","economic":"economic:1"}"#)
                #expect(linked.status == .created)
                #expect((try linked.json()["events"] as? [String])?.first == "PartnerLinked")
                let taken = try await client.post("/api/v1/links", key: key, json: #"{"source":"stripe:cus_bo","economic":"1"}"#)
                #expect(taken.status == .conflict)
                #expect(taken.errorMessage?.contains("already partnered") == true)

                let links = try await client.get("/api/v1/links", key: key).json()
                let link = try #require((links["items"] as? [[String: Any]])?.first)
                let id = try #require(link["linkId"] as? String)
                #expect(link["source"] as? String == "stripe:cus_anna" && link["economic"] as? String == "economic:1")
                #expect(link["origin"] as? String == "paired by hand")

                #expect(try await client.post("/api/v1/links/\(id)/stop", key: key).status == .ok)
                #expect(try await client.post("/api/v1/links/\(id)/restart", key: key).status == .ok)
                #expect(try await client.request(.delete, "/api/v1/links/\(id)", key: key).status == .ok)
                let gone = try await client.post("/api/v1/links/\(id)/unlink", key: key)
                #expect(gone.status == .conflict)
                #expect(gone.errorCode == "rejected")
                #expect(try await client.post("/api/v1/links/not-a-uuid/stop", key: key).status == .notFound)
            }
        }
    }

    @Test("resolve a conflict field by field; an unknown field is 422, an unknown conflict 409")
    func resolveConflict() async throws {
        try await MemoryHarness.run { harness in
            try await harness.manualCreation()
            let anna = CustomerRef.stripe("cus_anna")
            try await harness.observe(anna, ["name": "Anna", "email": "anna@example.com", "address.city": "Odense", "phone": "111"])
            try await harness.observe(
                .economic(1), ["name": "Anna", "email": "anna@example.com", "city": "Vejle", "telephoneAndFaxNumber": "222", "currency": "DKK"])
            try await harness.handler.selectPartner(source: anna, economic: .economic(1), tenant: harness.acme, metadata: MemoryHarness.user)
            try await harness.settle()
            try await harness.withClient { client throws in
                let key = harness.acmeKey
                let groups = try await client.get("/api/v1/conflicts", key: key).jsonItems()
                let group = try #require(groups.first)
                let link = try #require(group["linkId"] as? String)
                let fields = try #require(group["fields"] as? [[String: Any]])
                #expect(Set(fields.compactMap { $0["field"] as? String }) == ["city", "telephoneAndFaxNumber"])
                #expect(group["source"] as? String == "stripe:cus_anna")
                #expect(try await client.get("/api/v1/overview", key: key).json()["conflicts"] as? Int == 1)

                let unknownField = try await client.post(
                    "/api/v1/conflicts/\(link)/resolve", key: key, json: #"{"choices":{"shoeSize":{"keep":"source"}}}"#)
                #expect(unknownField.status == .unprocessableContent)
                #expect(unknownField.errorMessage?.contains("shoeSize") == true)
                let badChoice = try await client.post("/api/v1/conflicts/\(link)/resolve", key: key, json: #"{"choices":{"city":{"keep":"both"}}}"#)
                #expect(badChoice.status == .unprocessableContent)
                #expect(
                    try await client.post("/api/v1/conflicts/\(link)/resolve", key: key, json: #"{"choices":{}}"#).status == .unprocessableContent)

                let resolved = try await client.post(
                    "/api/v1/conflicts/\(link)/resolve", key: key,
                    json: #"{"choices":{"city":{"keep":"economic"},"telephoneAndFaxNumber":{"value":"333"}}}"#)
                #expect(resolved.status == .ok)
                #expect((try resolved.json()["events"] as? [String])?.first == "ConflictResolved")
                let again = try await client.post("/api/v1/conflicts/\(link)/resolve", key: key, json: #"{"choices":{"city":{"keep":"source"}}}"#)
                #expect(again.status == .conflict)
                #expect(try await client.get("/api/v1/conflicts", key: key).jsonItems().isEmpty)
            }
        }
    }

    @Test("retry an abandoned outbound request; retrying one that is not abandoned is 409")
    func retryOutbound() async throws {
        try await MemoryHarness.run { harness in
            try await harness.manualCreation()
            try await harness.observe(.stripe("cus_anna"), ["name": "Anna", "email": "anna@example.com"])
            let created = try await harness.handler.createPartner(
                .stripe("cus_anna"), numbering: .economicAssigns, tenant: harness.acme, metadata: MemoryHarness.user)
            let request = try #require(
                created.events.compactMap { event -> RequestID? in
                    if case .economicWriteRequested(let write) = event { write.requestId } else { nil }
                }.first)
            // What the outbound worker records when e-conomic refuses for good.
            let abandoned = SyncEvent.outboundAbandoned(
                OutboundAbandoned(requestId: request, attempts: 5, error: OutboundError(httpStatus: 400, code: "E04300", message: "Name is required"))
            )
            try await harness.engine.record(abandoned, tenant: harness.acme)
            try await harness.withClient { client throws in
                let key = harness.acmeKey
                let failures = try await client.get("/api/v1/outbound/failures", key: key).jsonItems()
                #expect(failures.count == 1)
                #expect(failures.first?["state"] as? String == "abandoned")
                #expect((failures.first?["error"] as? String)?.contains("Name is required") == true)
                #expect(failures.first?["customer"] as? String == "stripe:cus_anna")
                #expect(try await client.get("/api/v1/overview", key: key).json()["outboundFailures"] as? Int == 1)

                let retried = try await client.post("/api/v1/outbound/\(request)/retry", key: key)
                #expect(retried.status == .accepted)
                #expect(try retried.json()["events"] as? [String] == ["OutboundRetryRequested"])
                let again = try await client.post("/api/v1/outbound/\(request)/retry", key: key)
                #expect(again.status == .conflict)
                #expect(try await client.post("/api/v1/outbound/\(UUID())/retry", key: key).status == .conflict)
            }
        }
    }

    @Test("settings: read, save with the expected version; a stale version is 409, an invalid field 422, a huge body 413")
    func settings() async throws {
        try await MemoryHarness.run { harness in
            try await harness.withClient { client throws in
                let key = harness.acmeKey
                let current = try await client.get("/api/v1/settings", key: key).json()
                #expect(current["version"] as? Int == 0)
                let saved = try await client.request(
                    .put, "/api/v1/settings", key: key,
                    json:
                        #"{"expectedVersion":0,"settings":{"matchFields":[{"source":"phone","economic":"telephoneAndFaxNumber"}],"createPolicy":"manual","defaults":{"paymentTerms":2,"customerGroup":3,"currency":"EUR","vatZone":{"fixed":{"zone":2}}}}}"#
                )
                #expect(saved.status == .ok)
                let body = try saved.json()
                #expect(body["version"] as? Int == 1)
                #expect(((body["settings"] as? [String: Any])?["defaults"] as? [String: Any])?["currency"] as? String == "EUR")
                #expect(try await harness.handler.settings(of: harness.acme).createPolicy == .manual)

                let stale = try await client.request(
                    .put, "/api/v1/settings", key: key,
                    json: #"{"expectedVersion":0,"settings":{"matchFields":[{"source":"email","economic":"email"}]}}"#)
                #expect(stale.status == .conflict)
                #expect(stale.errorCode == "stale_version")
                #expect(stale.errorMessage?.contains("version 1") == true)

                let invalid = try await client.request(
                    .put, "/api/v1/settings", key: key,
                    json:
                        #"{"expectedVersion":1,"settings":{"matchFields":[{"source":"fax","economic":"email"}],"defaults":{"paymentTerms":1,"customerGroup":1,"currency":"euro","vatZone":{"fixed":{"zone":1}}}}}"#
                )
                #expect(invalid.status == .unprocessableContent)
                #expect(invalid.errorCode == "invalid_input")
                #expect(invalid.errorMessage?.contains("fax") == true)
                #expect(invalid.errorMessage?.contains("euro") == true, "every problem is named, not only the first")

                let shape = try await client.request(
                    .put, "/api/v1/settings", key: key, json: #"{"expectedVersion":1,"settings":{"matchFields":"email"}}"#)
                #expect(shape.status == .unprocessableContent)
                #expect(shape.errorMessage?.contains("matchFields") == true)
                let noVersion = try await client.request(.put, "/api/v1/settings", key: key, json: #"{"settings":{}}"#)
                #expect(noVersion.status == .unprocessableContent)
                #expect(noVersion.errorMessage?.contains("expectedVersion") == true)

                let huge = try await client.request(
                    .put, "/api/v1/settings", key: key, json: "{\"pad\":\"" + String(repeating: "x", count: 20_000) + "\"}")
                #expect(huge.status == .contentTooLarge)
                #expect(huge.errorCode == "payload_too_large")
                #expect(try await harness.handler.settings(of: harness.acme).version == 1, "nothing else was saved")
            }
        }
    }

    @Test("errors never leak internals: an unknown route is a JSON 404; health and metrics answer")
    func errorsHealthMetrics() async throws {
        try await ServerHarness.run { harness in
            try await harness.withClient { client throws in
                let missing = try await client.get("/api/v1/nothing-here", key: harness.acmeKey)
                #expect(missing.status == .notFound)
                #expect(missing.errorCode == "not_found")
                let health = try await client.get("/health")
                #expect(health.status == .ok)
                #expect(try health.json()["status"] as? String == "alive")
                let ready = try await client.get("/ready")
                #expect(ready.status == .ok)
                #expect(try ready.json()["database"] as? String == "ok")
                #expect(try ready.json()["readModels"] as? String == "built")
                _ = try await client.post("/webhooks/stripe/acme", json: "{}")
                let metrics = try await client.get("/metrics")
                #expect(metrics.status == .ok)
                #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(metrics.text.contains("http_server_requests_total"))
                #expect(metrics.text.contains(#"route="/health""#))
                #expect(metrics.text.contains(#"accord_webhook_deliveries_total{outcome="rejected"} 1"#))
                #expect(metrics.text.contains("accord_inbox_backlog 0"))
                #expect(metrics.text.contains("http_server_request_duration_seconds_bucket"))
            }
            // A failure inside: 500 with the request id, never the error itself (which may name secrets or SQL).
            var dependencies = harness.server.dependencies
            dependencies.webhookSecrets = FailingSecrets()
            let failing = AccordServer(configuration: ServerConfiguration(port: 0), dependencies: dependencies)
            try await failing.buildApplication().test(.router) { client throws in
                let response = try await TestClient(client: client).post("/webhooks/stripe/acme", json: "{}")
                #expect(response.status == .internalServerError)
                #expect(response.errorCode == "internal")
                #expect(response.errorMessage?.contains("request id") == true)
                #expect(!response.text.contains("whsec_") && !response.text.contains("SELECT"))
            }
        }
    }
}

/// A secrets store that cannot be read (its error names a secret and SQL, which must never reach a client).
struct FailingSecrets: WebhookSecretsProvider {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "SELECT stripe_webhook_secrets FROM tenant_connections -- whsec_do_not_leak" }
    }

    func webhookSecrets(for tenant: TenantID) async throws -> [String] { throw Failure() }
}
