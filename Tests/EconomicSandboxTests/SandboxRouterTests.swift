import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import EconomicSandbox

/// Requests against the sandbox's router, without a socket.
struct RouterHarness {
    let client: any TestClientProtocol

    static let tokens: HTTPFields = [
        HTTPField.Name("X-AppSecretToken")!: SandboxConfiguration.defaultAppSecretToken,
        HTTPField.Name("X-AgreementGrantToken")!: SandboxConfiguration.defaultAgreementGrantToken,
        .contentType: "application/json",
    ]

    struct Reply {
        var status: Int
        var headers: HTTPFields
        var text: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:] }
        var collection: [[String: Any]] { json["collection"] as? [[String: Any]] ?? [] }
        var numbers: [Int] { collection.compactMap { $0["customerNumber"] as? Int } }
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: HTTPFields = RouterHarness.tokens) async throws -> Reply {
        try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Reply(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
        }
    }

    /// Customer numbers matching a filter (the filter is percent-encoded here, as a client would).
    func filter(_ filter: String, sort: String? = nil) async throws -> Reply {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        var uri = "/customers?pagesize=1000&filter=" + filter.addingPercentEncoding(withAllowedCharacters: allowed)!
        if let sort { uri += "&sort=" + sort.addingPercentEncoding(withAllowedCharacters: allowed)! }
        return try await send(.get, uri)
    }

    static func run(_ configuration: SandboxConfiguration = SandboxConfiguration(), _ body: @Sendable (RouterHarness) async throws -> Void)
        async throws
    {
        let app = try await buildSandboxApplication(configuration: configuration, logger: Logger(label: "sandbox-test"))
        try await app.test(.router) { client in try await body(RouterHarness(client: client)) }
    }

    static func customerJSON(_ name: String, number: Int? = nil, extra: String = "") -> String {
        let numberPart = number.map { "\"customerNumber\": \($0), " } ?? ""
        return """
            {\(numberPart)"name": "\(name)", "currency": "DKK", "customerGroup": {"customerGroupNumber": 1},
             "paymentTerms": {"paymentTermsNumber": 1}, "vatZone": {"vatZoneNumber": 1}\(extra)}
            """
    }
}

@Suite("Sandbox HTTP behaviour")
struct SandboxRouterTests {
    @Test("tokens are required; wrong tokens get 401 with an e-conomic body; /_sandbox needs none")
    func auth() async throws {
        try await RouterHarness.run { (h: RouterHarness) async throws -> Void in
            let none = try await h.send(.get, "/customers", headers: [:])
            #expect(none.status == 401)
            #expect(Set(none.json.keys) == ["message", "errorCode", "developerHint", "logId", "httpStatusCode", "logTime"])
            var wrong = RouterHarness.tokens
            wrong[HTTPField.Name("X-AgreementGrantToken")!] = "demo"
            #expect(try await h.send(.get, "/self", headers: wrong).status == 401)
            #expect(try await h.send(.get, "/_sandbox/stats", headers: [:]).status == 200)
        }
    }

    @Test("POST/PUT need a JSON content type (415) and a JSON object body (400); PUT on the collection is 405")
    func mediaType() async throws {
        try await RouterHarness.run { (h: RouterHarness) async throws -> Void in
            var headers = RouterHarness.tokens
            headers[.contentType] = "text/plain"
            #expect(try await h.send(.post, "/customers", RouterHarness.customerJSON("A"), headers: headers).status == 415)
            #expect(try await h.send(.post, "/customers", "not json").status == 400)
            #expect(try await h.send(.post, "/customers", "[1,2]").status == 400)
            #expect(try await h.send(.put, "/customers", RouterHarness.customerJSON("A")).status == 405)
        }
    }

    @Test("validation: required fields, null, lengths, types, references by number or self")
    func validation() async throws {
        try await RouterHarness.run { (h: RouterHarness) async throws -> Void in
            let empty = try await h.send(.post, "/customers", "{}")
            #expect(empty.status == 400)
            #expect(empty.json["errorCount"] as? Int == 5)
            #expect(Set((empty.json["errors"] as? [String: Any] ?? [:]).keys) == ["name", "currency", "customerGroup", "paymentTerms", "vatZone"])

            let nulls = try await h.send(.post, "/customers", RouterHarness.customerJSON("A", extra: #", "email": null"#))
            #expect(nulls.status == 400)
            #expect(nulls.text.contains("omit the property instead"))

            let long = try await h.send(
                .post, "/customers", RouterHarness.customerJSON("A", extra: #", "zip": "1234567890123456789012345678901", "pNumber": "123""#))
            #expect(Set((long.json["errors"] as? [String: Any] ?? [:]).keys) == ["zip", "pNumber"])

            let range = try await h.send(.post, "/customers", RouterHarness.customerJSON("A", number: 1_000_000_000))
            #expect(range.text.contains("customerNumber must be between 1 and 999999999"))

            let bySelf = try await h.send(
                .post, "/customers",
                #"{"name":"Ref","currency":"eur","customerGroup":{"self":"https://restapi.e-conomic.com/customer-groups/2"},"paymentTerms":{"paymentTermsNumber":4},"vatZone":{"self":"x/vat-zones/2"}}"#
            )
            #expect(bySelf.status == 201)
            #expect((bySelf.json["customerGroup"] as? [String: Any])?["customerGroupNumber"] as? Int == 2)
            #expect(bySelf.json["currency"] as? String == "EUR")

            let noId = try await h.send(
                .post, "/customers",
                #"{"name":"R","currency":"DKK","customerGroup":{},"paymentTerms":{"paymentTermsNumber":1},"vatZone":{"vatZoneNumber":1}}"#)
            #expect(noId.text.contains("E04500"))

            let wrongType = try await h.send(
                .post, "/customers",
                #"{"name":5,"currency":"DKK","customerGroup":1,"paymentTerms":{"paymentTermsNumber":1},"vatZone":{"vatZoneNumber":9}}"#)
            #expect(Set((wrongType.json["errors"] as? [String: Any] ?? [:]).keys) == ["name", "customerGroup", "vatZone"])
            #expect(wrongType.text.contains("VatZone '9' not found."))
        }
    }

    @Test("PUT replaces everything, ignores eInvoicingDisabledByDefault and balance, refuses renumbering; 404 for unknown")
    func put() async throws {
        try await RouterHarness.run { (h: RouterHarness) async throws -> Void in
            let replaced = try await h.send(
                .put, "/customers/1", RouterHarness.customerJSON("Anna J.", extra: #", "balance": 99, "eInvoicingDisabledByDefault": true"#))
            #expect(replaced.status == 200)
            #expect(replaced.json["email"] == nil)
            #expect(replaced.json["layout"] == nil)
            #expect(replaced.json["balance"] as? Double == 0)
            #expect(replaced.json["eInvoicingDisabledByDefault"] as? Bool == false)
            #expect(try await h.send(.put, "/customers/1", RouterHarness.customerJSON("X", number: 2)).status == 400)
            #expect(try await h.send(.put, "/customers/424242", RouterHarness.customerJSON("X")).status == 404)
            #expect(try await h.send(.delete, "/customers/424242").status == 404)
            #expect(try await h.send(.get, "/customers/abc").status == 404)
        }
    }

    @Test("filter grammar: case-insensitive, like, wildcards, escapes, and/or precedence, parentheses, null, in/nin, numbers, dates, booleans")
    func filters() async throws {
        try await RouterHarness.run { (h: RouterHarness) async throws -> Void in
            #expect(try await h.filter("email$eq:ANNA@EXAMPLE.COM").numbers == [1])
            #expect(try await h.filter("name$like:SEN").numbers == [1, 3, 6])  // Jensen, Hansen & Co, Kristensen
            #expect(try await h.filter("name$like:*sen").numbers == [1, 6])
            #expect(try await h.filter("name$like:a*").numbers == [1])
            #expect(try await h.filter("name$eq:Jens Berg $(Consulting$)").numbers == [8])
            #expect(try await h.filter("name$eq:Jens Berg (Consulting)").status == 400)
            #expect(try await h.filter("city$eq:Odense$or:city$eq:Esbjerg$and:zip$eq:6700").numbers == [6, 7])
            #expect(try await h.filter("(city$eq:Odense$or:city$eq:Esbjerg)$and:zip$eq:6700").numbers == [7])
            #expect(try await h.filter("email$eq:$null:").numbers == [7])
            #expect(try await h.filter("email$ne:$null:$and:country$ne:Danmark").numbers == [4, 5])
            #expect(try await h.filter("customerNumber$in:[1,3,5]").numbers == [1, 3, 5])
            #expect(try await h.filter("customerNumber$nin:[1,2,3,4,5,6]").numbers == [7, 8])
            #expect(try await h.filter("balance$gt:1000").numbers == [2, 6])
            #expect(try await h.filter("barred$eq:true").numbers == [6])
            #expect(try await h.filter("lastUpdated$lte:2026-01-01T00:00:00Z").numbers.count == 8)
            #expect(try await h.filter("lastUpdated$gt:2026-01-01T00:00:00Z").numbers.isEmpty)
            #expect(try await h.filter("currency$eq:SEK$or:currency$eq:USD").numbers == [4, 5])

            for bad in [
                "pNumber$eq:1", "name$foo:x", "name$in:[1]", "customerNumber$in:[a]", "balance$gt:abc", "name$eq:a$x", "(name$eq:a",
                "customerNumber$in:[" + (1...201).map(String.init).joined(separator: ",") + "]", "lastUpdated$gt:yesterday",
            ] {
                let reply = try await h.filter(bad)
                #expect(reply.status == 400, "\(bad)")
                #expect(reply.json["message"] as? String == "Could not parse query string filter.", "\(bad)")
            }
        }
    }

    @Test("sort: ascending, descending, several keys; barred is not sortable")
    func sorting() async throws {
        try await RouterHarness.run { (h: RouterHarness) async throws -> Void in
            let byName = try await h.send(.get, "/customers?sort=name")
            #expect(byName.collection.compactMap { $0["name"] as? String }.first == "Anna Jensen")
            #expect(try await h.send(.get, "/customers?sort=-customerNumber").numbers == [8, 7, 6, 5, 4, 3, 2, 1])
            #expect(try await h.send(.get, "/customers?sort=currency,-customerNumber").numbers == [8, 7, 6, 3, 2, 1, 4, 5])
            #expect(try await h.send(.get, "/customers?sort=barred").status == 400)
            #expect(try await h.send(.get, "/customers?sort=nope").status == 400)
        }
    }

    @Test("paging parameters: defaults, limits and bad values")
    func paging() async throws {
        try await RouterHarness.run { (h: RouterHarness) async throws -> Void in
            let page = try await h.send(.get, "/customers?skippages=1&pagesize=3")
            #expect(page.numbers == [4, 5, 6])
            let pagination = page.json["pagination"] as? [String: Any] ?? [:]
            #expect(pagination["results"] as? Int == 8)
            #expect(pagination["nextPage"] != nil && pagination["previousPage"] != nil)
            #expect(try await h.send(.get, "/customers?skippages=9&pagesize=3").numbers.isEmpty)
            #expect(try await h.send(.get, "/customers?pagesize=1001").status == 400)
            #expect(try await h.send(.get, "/customers?pagesize=0").status == 400)
            #expect(try await h.send(.get, "/customers?skippages=-1").status == 400)
            #expect(try await h.send(.get, "/customers?pagesize=ten").status == 400)
            #expect(try await h.send(.get, "/vat-zones?filter=name$eq:EU").status == 400)
        }
    }

    @Test("numbering: scattered numbers are reproducible with the same seed; consecutive skips taken numbers")
    func numbering() async throws {
        func createTwo(_ configuration: SandboxConfiguration) async throws -> [Int] {
            let box = NumbersBox()
            try await RouterHarness.run(configuration) { (h: RouterHarness) async throws -> Void in
                for name in ["A", "B"] {
                    let reply = try await h.send(.post, "/customers", RouterHarness.customerJSON(name))
                    await box.append(reply.json["customerNumber"] as? Int ?? -1)
                }
            }
            return await box.numbers
        }
        let first = try await createTwo(SandboxConfiguration(randomSeed: 42))
        #expect(try await createTwo(SandboxConfiguration(randomSeed: 42)) == first)
        #expect(first.allSatisfy { (100_000_000...999_999_999).contains($0) })
        #expect(try await createTwo(SandboxConfiguration(randomSeed: 43)) != first)
        #expect(try await createTwo(SandboxConfiguration(numbering: .consecutive(startingAt: 7))) == [9, 10])
    }

    @Test("admin: knobs (PUT, PATCH, validation), scheduled faults, scope, stats, reset, seeding")
    func admin() async throws {
        try await RouterHarness.run { (h: RouterHarness) async throws -> Void in
            #expect(try await h.send(.patch, "/_sandbox/knobs", #"{"rateLimitRate": 2}"#).status == 400)
            let patched = try await h.send(.patch, "/_sandbox/knobs", #"{"serverErrorRate": 1, "serverErrorStatus": 502}"#)
            #expect(patched.json["serverErrorRate"] as? Double == 1)
            #expect(patched.json["scope"] as? String == "customerWrites")
            #expect(try await h.send(.get, "/customers/1").status == 200)
            #expect(try await h.send(.post, "/customers", RouterHarness.customerJSON("X")).status == 502)
            #expect(try await h.send(.put, "/_sandbox/knobs", #"{"scope": "all"}"#).json["serverErrorRate"] as? Double == 0)

            #expect(try await h.send(.post, "/_sandbox/faults", #"{"next": ["rateLimit", "serverError"]}"#).status == 200)
            #expect(try await h.send(.get, "/self").status == 429)
            #expect(try await h.send(.get, "/self").status == 500)
            let limited = try await h.send(.post, "/_sandbox/faults", #"{"next": ["rateLimit"]}"#)
            #expect(limited.status == 200)
            let reply = try await h.send(.get, "/layouts")
            #expect(reply.status == 429)
            #expect(reply.headers[.retryAfter] == "1")

            let seeded = try await h.send(
                .post, "/_sandbox/customers", #"{"generate": 5, "customers": ["# + RouterHarness.customerJSON("Seeded", number: 77) + "]}")
            #expect(seeded.status == 201)
            #expect((seeded.json["created"] as? [Int])?.count == 6)

            let stats = try await h.send(.get, "/_sandbox/stats")
            #expect(stats.json["customerCount"] as? Int == 14)
            let requests = stats.json["requests"] as? [[String: Any]] ?? []
            #expect(requests.contains { $0["path"] as? String == "/customers/{id}" && $0["status"] as? Int == 200 })
            #expect((stats.json["faultsInjected"] as? [String: Int])?["rateLimit"] == 2)

            let reset = try await h.send(.post, "/_sandbox/reset", #"{"seed": "reference"}"#)
            #expect(reset.json["customerCount"] as? Int == 0)
            #expect(try await h.send(.get, "/_sandbox/knobs").json["scope"] as? String == "customerWrites")
            #expect(try await h.send(.post, "/_sandbox/reset").json["customerCount"] as? Int == 8)
        }
    }

    @Test("persistence: a restarted sandbox with the same file keeps its customers")
    func persistence() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("economic-sandbox-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = SandboxConfiguration(numbering: .consecutive(startingAt: 100), persistencePath: path)
        try await RouterHarness.run(configuration) { (h: RouterHarness) async throws -> Void in
            #expect(try await h.send(.post, "/customers", RouterHarness.customerJSON("Kept", extra: #", "email": "kept@example.com""#)).status == 201)
            #expect(try await h.send(.delete, "/customers/1").status == 204)
        }
        #expect(FileManager.default.fileExists(atPath: path))
        try await RouterHarness.run(configuration) { (h: RouterHarness) async throws -> Void in
            let kept = try await h.send(.get, "/customers/100")
            #expect(kept.json["email"] as? String == "kept@example.com")
            #expect(try await h.send(.get, "/customers/1").status == 404)
            // The counter was saved too: the next number is not reused.
            #expect(try await h.send(.post, "/customers", RouterHarness.customerJSON("Next")).json["customerNumber"] as? Int == 101)
        }
    }
}

actor NumbersBox {
    var numbers: [Int] = []
    func append(_ number: Int) { numbers.append(number) }
}

@Suite("Filter parser")
struct CustomerFilterParserTests {
    @Test("escapes produce literal characters; unescaped * is a wildcard")
    func escapes() throws {
        let filter = try CustomerFilter.parse("name$like:a$*b*")
        guard case .condition(let condition) = filter, case .pattern(let pieces) = condition.value else {
            Issue.record("not a condition")
            return
        }
        #expect(pieces == [.character("a"), .character("*"), .character("b"), .wildcard])
        #expect(
            try CustomerFilter.parse("name$eq:$$100$,00")
                == .condition(.init(field: .name, op: .eq, value: .pattern("$100,00".map { .character($0) }))))
    }

    @Test("$and binds tighter than $or")
    func precedence() throws {
        let filter = try CustomerFilter.parse("name$eq:a$or:name$eq:b$and:city$eq:c")
        guard case .or(_, .and) = filter else {
            Issue.record("expected a$or:(b$and:c), got \(filter)")
            return
        }
    }

    @Test("a dollar that is not an escape, operator or null is an error")
    func strayDollar() {
        #expect(throws: CustomerFilter.ParseError.self) { try CustomerFilter.parse("name$eq:a$b") }
        #expect(throws: CustomerFilter.ParseError.self) { try CustomerFilter.parse("name$eq:a)") }
        #expect(throws: CustomerFilter.ParseError.self) { try CustomerFilter.parse("") }
    }
}
