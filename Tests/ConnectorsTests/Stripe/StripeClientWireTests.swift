import Connectors
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// What the fake Stripe server saw.
final class Captured: Sendable {
    struct Call: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
    }

    private let calls = Mutex<[Call]>([])

    func record(_ request: Request, _ body: ByteBuffer) {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let call = Call(method: request.method.rawValue, path: request.uri.description, headers: headers, body: String(buffer: body))
        calls.withLock { $0.append(call) }
    }

    var all: [Call] { calls.withLock { $0 } }
}

/// The client's requests and its handling of answers localstripe cannot give (Stripe's deleted stub,
/// 429 with retry headers, timeouts), against a loopback fake of Stripe.
@Suite("Stripe client wire format")
struct StripeClientWireTests {
    static let customerJSON = #"""
        {"id":"cus_wire","object":"customer","created":1700000000,"livemode":false,"email":"wire@accord.test","name":"Wire A/S",
         "address":{"city":"Odense","country":"DK","line1":"Vej 2","line2":null,"postal_code":"5000","state":null},
         "metadata":{"erp_id":"7"},"currency":"dkk","balance":0,"invoice_prefix":"ABC","tax_exempt":"none",
         "tax_ids":{"object":"list","data":[{"id":"txi_1","object":"tax_id","type":"eu_vat","value":"DK12345678","country":"DK"}],"has_more":false}}
        """#

    @Test("updateMetadata sends Bearer auth, Stripe-Version, Idempotency-Key and bracketed, percent-encoded form fields")
    func metadataRequest() async throws {
        let captured = Captured()
        try await withTestServer({ request, body in
            captured.record(request, body)
            return jsonResponse(.ok, Self.customerJSON)
        }) { base in
            let client = StripeClient(
                configuration: StripeConfiguration(apiBase: base + "/", secretKey: "sk_test_wire", apiVersion: "2026-09-30.endive"))
            let customer = try await client.updateMetadata(
                customerID: "cus_wire", ["economic_number": "1001", "note": "æ & ø=1", "old": nil], idempotencyKey: "idem-123")
            #expect(customer.taxID == "DK12345678")
        }
        let call = try #require(captured.all.first)
        #expect(call.method == "POST")
        #expect(call.path == "/v1/customers/cus_wire")
        #expect(call.headers["authorization"] == "Bearer sk_test_wire")
        #expect(call.headers["stripe-version"] == "2026-09-30.endive")
        #expect(call.headers["idempotency-key"] == "idem-123")
        #expect(call.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(
            call.body
                == "metadata%5Beconomic_number%5D=1001&metadata%5Bnote%5D=%C3%A6%20%26%20%C3%B8%3D1&metadata%5Bold%5D=&expand%5B%5D=tax_ids")
    }

    @Test("list and retrieve ask for expanded tax ids; updateCustomer encodes address fields in brackets")
    func listAndUpdateRequests() async throws {
        let captured = Captured()
        try await withTestServer({ request, body in
            captured.record(request, body)
            if request.uri.path == "/v1/customers" {
                return jsonResponse(.ok, #"{"object":"list","url":"/v1/customers","has_more":false,"data":[\#(Self.customerJSON)]}"#)
            }
            return jsonResponse(.ok, Self.customerJSON)
        }) { base in
            let client = StripeClient(configuration: StripeConfiguration(apiBase: base, secretKey: "sk_test_wire"))
            let page = try await client.customers(limit: 2, startingAfter: "cus_a", email: "a+b@x.dk")
            #expect(page.data.map(\.id) == ["cus_wire"])
            #expect(page.nextCursor == nil)
            _ = try await client.customer(id: "cus_wire")
            _ = try await client.updateCustomer(
                customerID: "cus_wire", fields: [.addressPostalCode: "5000", .name: "N", .description: nil], idempotencyKey: nil)
        }
        let calls = captured.all
        #expect(calls.count == 3)
        #expect(calls[0].path == "/v1/customers?limit=2&starting_after=cus_a&email=a%2Bb%40x.dk&expand%5B%5D=data.tax_ids")
        #expect(calls[0].headers["stripe-version"] == nil)
        #expect(calls[1].path == "/v1/customers/cus_wire?expand%5B%5D=tax_ids")
        #expect(calls[2].body == "name=N&description=&address%5Bpostal_code%5D=5000&expand%5B%5D=tax_ids")
        #expect(calls[2].headers["idempotency-key"] == nil)
    }

    @Test("Stripe's 200 deleted stub on retrieve is .deleted")
    func deletedStub() async throws {
        try await withTestServer({ _, _ in
            jsonResponse(.ok, #"{"id":"cus_gone","object":"customer","deleted":true}"#)
        }) { base in
            let client = StripeClient(configuration: StripeConfiguration(apiBase: base, secretKey: "sk_test_wire"))
            let lookup = try await client.customer(id: "cus_gone")
            #expect(lookup == .deleted(id: "cus_gone"))
            try await client.deleteCustomer(id: "cus_gone")
        }
    }

    @Test("a 404 with resource_missing is .notFound")
    func resourceMissing() async throws {
        try await withTestServer({ _, _ in
            jsonResponse(
                .notFound,
                #"{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such customer: 'cus_nope'","param":"id"}}"#,
                headers: [("Request-Id", "req_404")])
        }) { base in
            let client = StripeClient(configuration: StripeConfiguration(apiBase: base, secretKey: "sk_test_wire"))
            let lookup = try await client.customer(id: "cus_nope")
            #expect(lookup == .notFound(id: "cus_nope"))
        }
    }

    @Test("error bodies: type, code, param, Stripe-Should-Retry, Retry-After and the request id are parsed")
    func errorParsing() async throws {
        try await withTestServer({ request, _ in
            if request.uri.path.hasSuffix("busy") {
                return jsonResponse(
                    .tooManyRequests,
                    #"{"error":{"type":"invalid_request_error","code":"lock_timeout","message":"This object cannot be accessed right now because another API request or Stripe process is currently accessing it."}}"#,
                    headers: [("Request-Id", "req_429"), ("Retry-After", "2")])
            }
            if request.uri.path.hasSuffix("norety") {
                return jsonResponse(
                    .internalServerError, #"{"error":{"type":"api_error","message":"boom"}}"#, headers: [("Stripe-Should-Retry", "false")])
            }
            return jsonResponse(
                .unauthorized,
                #"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_wire_leaky_key_1234"}}"#)
        }) { base in
            let key = "sk_test_wire_leaky_key_1234"
            let client = StripeClient(configuration: StripeConfiguration(apiBase: base, secretKey: key))
            do {
                _ = try await client.customer(id: "cus_busy")
                Issue.record("expected a 429")
            } catch let error as StripeAPIError {
                #expect(error.status == 429)
                #expect(error.code == "lock_timeout")
                #expect(error.retryAfter == .seconds(2))
                #expect(error.requestID == "req_429")
                #expect(error.isRetryable)
                #expect(error.description.contains("retry after 2 s"))
            }
            do {
                _ = try await client.customer(id: "cus_norety")
                Issue.record("expected a 500")
            } catch let error as StripeAPIError {
                #expect(error.status == 500)
                #expect(error.shouldRetry == false)
                #expect(!error.isRetryable)  // Stripe-Should-Retry wins over the status
            }
            do {
                _ = try await client.customers()
                Issue.record("expected a 401")
            } catch let error as StripeAPIError {
                #expect(error.status == 401)
                #expect(!error.description.contains(key))
                #expect(!(error.message ?? "").contains(key))
                #expect(!String(reflecting: error).contains(key))
                #expect(error.description.contains("sk_test_…(redacted)"))
            }
        }
    }

    @Test("a slow answer is a retryable timeout; a closed port is a retryable transport error")
    func timeoutAndTransport() async throws {
        try await withTestServer({ _, _ in
            try await Task.sleep(for: .milliseconds(1500))
            return jsonResponse(.ok, Self.customerJSON)
        }) { base in
            let client = StripeClient(configuration: StripeConfiguration(apiBase: base, secretKey: "sk_test_wire", timeout: .milliseconds(300)))
            do {
                _ = try await client.customer(id: "cus_slow")
                Issue.record("expected a timeout")
            } catch let error as StripeAPIError {
                #expect(error.kind == .timeout)
                #expect(error.isRetryable)
            }
        }
        // Port 9 (discard) on loopback: nothing listens there.
        let client = StripeClient(configuration: StripeConfiguration(apiBase: "http://127.0.0.1:9", secretKey: "sk_test_wire", timeout: .seconds(5)))
        do {
            _ = try await client.customers()
            Issue.record("expected a transport error")
        } catch {
            #expect(error.kind == .transport)
            #expect(error.isRetryable)
            #expect(error.description.contains("could not reach Stripe"))
        }
    }

    @Test("isRetryable: Stripe-Should-Retry first, then 409, 429, 5xx, transport and timeouts")
    func retryability() {
        #expect(StripeAPIError(kind: .api, status: 409).isRetryable)
        #expect(StripeAPIError(kind: .api, status: 429).isRetryable)
        #expect(StripeAPIError(kind: .api, status: 503).isRetryable)
        #expect(!StripeAPIError(kind: .api, status: 400).isRetryable)
        #expect(!StripeAPIError(kind: .api, status: 402).isRetryable)
        #expect(StripeAPIError(kind: .api, status: 400, shouldRetry: true).isRetryable)
        #expect(!StripeAPIError(kind: .api, status: 503, shouldRetry: false).isRetryable)
        #expect(StripeAPIError(kind: .transport).isRetryable)
        #expect(StripeAPIError(kind: .timeout).isRetryable)
        #expect(!StripeAPIError(kind: .invalidResponse, status: 200).isRetryable)
        #expect(!StripeAPIError(kind: .invalidArgument).isRetryable)
    }

    @Test("the configuration's description hides the key")
    func configurationDescription() {
        let configuration = StripeConfiguration(secretKey: "sk_live_abcdef123456")
        #expect(!configuration.description.contains("abcdef123456"))
        #expect(configuration.description.contains("sk_live_…(redacted)"))
        #expect(configuration.apiBase == "https://api.stripe.com")
    }
}

@Suite("Stripe models")
struct StripeModelTests {
    @Test("a current-API customer with expanded tax ids flattens; unknown fields are ignored")
    func currentShape() throws {
        let customer = try JSONDecoder().decode(StripeCustomer.self, from: Data(StripeClientWireTests.customerJSON.utf8))
        #expect(
            customer.sourceFields == [
                "name": "Wire A/S", "email": "wire@accord.test", "address.line1": "Vej 2", "address.postal_code": "5000",
                "address.city": "Odense", "address.country": "DK", "tax_id": "DK12345678", "currency": "dkk", "metadata.erp_id": "7",
            ])
        let roundTrip = try JSONDecoder().decode(StripeCustomer.self, from: JSONEncoder().encode(customer))
        #expect(roundTrip == customer)
    }

    @Test("the legacy business_vat_id is the tax id when tax_ids is absent; the stub decodes as deleted")
    func legacyAndStub() throws {
        let legacy = try JSONDecoder().decode(
            StripeCustomer.self, from: Data(#"{"id":"cus_old","business_vat_id":"DK87654321","metadata":{}}"#.utf8))
        #expect(legacy.taxID == "DK87654321")
        #expect(legacy.sourceFields == ["tax_id": "DK87654321"])
        let stub = try JSONDecoder().decode(StripeCustomer.self, from: Data(#"{"id":"cus_x","object":"customer","deleted":true}"#.utf8))
        #expect(stub.isDeleted)
        #expect(stub.sourceFields.isEmpty)
    }

    @Test("an event with previous_attributes and a request object")
    func event() throws {
        let json = #"""
            {"id":"evt_1","object":"event","type":"customer.updated","created":1700000100,"livemode":false,"api_version":"2026-09-30.endive",
             "data":{"object":\#(StripeClientWireTests.customerJSON),"previous_attributes":{"email":"old@accord.test","metadata":{"erp_id":"6"}}},
             "request":{"id":"req_9","idempotency_key":"accord-write-1"},"pending_webhooks":1}
            """#
        let event = try JSONDecoder().decode(StripeEvent.self, from: Data(json.utf8))
        #expect(event.type == "customer.updated")
        #expect(event.customer?.id == "cus_wire")
        #expect(event.previousAttributes?["email"] == .string("old@accord.test"))
        #expect(event.previousAttributes?["metadata"]?["erp_id"] == .string("6"))
        #expect(event.requestIdempotencyKey == "accord-write-1")

        let other = try JSONDecoder().decode(
            StripeEvent.self,
            from: Data(
                #"{"id":"evt_2","type":"invoice.paid","created":1,"livemode":true,"data":{"object":{"id":"in_1","object":"invoice"}},"request":"req_old"}"#
                    .utf8))
        #expect(other.customer == nil)
        #expect(other.objectType == "invoice")
        #expect(other.requestID == "req_old")
    }
}
