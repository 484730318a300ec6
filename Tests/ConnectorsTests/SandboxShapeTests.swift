import EconomicSandbox
import Foundation
import NIOHTTP1
import Testing

/// The sandbox answers with the same keys as the recorded e-conomic responses.
@Suite("Sandbox responses have the fixtures' shape")
struct SandboxShapeTests {
    static func keys(_ object: [String: Any]) -> Set<String> { Set(object.keys) }

    static func nestedKeys(_ object: [String: Any], _ key: String) -> Set<String> {
        Set((object[key] as? [String: Any] ?? [:]).keys)
    }

    @Test("GET /customers/{n} has the keys of customer.json")
    func customerGet() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            // Give a customer the same set of properties as the fixture: barred, layout, address, zip, city, country, email, phone.
            let body = """
                {"customerNumber": 201, "name": "Horsens Kommune", "currency": "DKK", "customerGroup": {"customerGroupNumber": 1},
                 "paymentTerms": {"paymentTermsNumber": 5}, "vatZone": {"vatZoneNumber": 1}, "layout": {"layoutNumber": 19},
                 "address": "High road 32", "zip": "8700", "city": "Horsens", "country": "aaaaaa", "email": "aaaa@aaa.com",
                 "telephoneAndFaxNumber": "7629 2929", "barred": true}
                """
            #expect(try await sandbox.raw(.POST, "/customers", json: body).status == 201)
            let got = try await sandbox.json("/customers/201")
            let fixture = try Fixtures.object("customer.json")
            // e-conomic sends eInvoicingDisabledByDefault on created/updated customers (create_customer.json); the sandbox always does.
            #expect(Self.keys(got) == Self.keys(fixture).union(["eInvoicingDisabledByDefault"]))
            for nested in ["paymentTerms", "customerGroup", "vatZone", "layout", "templates", "totals", "invoices", "metaData"] {
                #expect(Self.nestedKeys(got, nested) == Self.nestedKeys(fixture, nested), "\(nested)")
            }
            #expect(Self.nestedKeys(got["metaData"] as! [String: Any], "delete") == ["description", "href", "httpMethod"])
            #expect(got["barred"] as? Bool == true)
            #expect((got["lastUpdated"] as? String)?.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/) != nil)
            #expect(got["self"] as? String == "\(sandbox.baseURL)/customers/201")
        }
    }

    @Test("POST /customers answers 201 with the keys of create_customer.json and a Location header; PUT like update_customer.json")
    func createAndUpdate() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            let body =
                #"{"currency":"DKK","name":"Mr. Anderson","customerGroup":{"customerGroupNumber":1},"paymentTerms":{"paymentTermsNumber":1},"vatZone":{"vatZoneNumber":1}}"#
            let created = try await sandbox.rawResponse(.POST, "/customers", json: body)
            #expect(created.status == 201)
            let object = try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as! [String: Any]
            #expect(Self.keys(object) == Self.keys(try Fixtures.object("create_customer.json")))
            let number = try #require(object["customerNumber"] as? Int)
            #expect(created.headers["location"] == "\(sandbox.baseURL)/customers/\(number)")
            #expect(object["barred"] == nil)

            let put = try await sandbox.raw(.PUT, "/customers/\(number)", json: body.replacingOccurrences(of: "Mr. Anderson", with: "A new name"))
            #expect(put.status == 200)
            let updated = try JSONSerialization.jsonObject(with: Data(put.body.utf8)) as! [String: Any]
            #expect(Self.keys(updated) == Self.keys(try Fixtures.object("update_customer.json")))
            #expect(updated["name"] as? String == "A new name")

            #expect(try await sandbox.raw(.DELETE, "/customers/\(number)").status == 204)
        }
    }

    @Test("404 has exactly the keys of 404.json, with a fresh logId each time")
    func notFound() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            let first = try await sandbox.raw(.GET, "/customers/987654")
            let second = try await sandbox.raw(.GET, "/customers/987654")
            #expect(first.status == 404)
            let a = try JSONSerialization.jsonObject(with: Data(first.body.utf8)) as! [String: Any]
            let b = try JSONSerialization.jsonObject(with: Data(second.body.utf8)) as! [String: Any]
            let fixture = try Fixtures.object("404.json")
            #expect(Self.keys(a) == Self.keys(fixture))
            #expect(a["message"] as? String == fixture["message"] as? String)
            #expect(a["developerHint"] as? String == fixture["developerHint"] as? String)
            #expect(a["httpStatusCode"] as? Int == 404)
            #expect(a["logId"] as? String != b["logId"] as? String)
            #expect((a["logTime"] as? String)?.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/) != nil)
            #expect(try await sandbox.raw(.GET, "/no-such-endpoint").status == 404)
        }
    }

    @Test("reference collections have the fixtures' envelope and item keys")
    func collections() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            for (path, file) in [
                ("/vat-zones", "vat_zones.json"), ("/payment-terms", "payment_terms.json"), ("/layouts", "layouts.json"),
                ("/customer-groups", "customer_groups.json"),
            ] {
                let got = try await sandbox.json("\(path)?skippages=0&pagesize=1000")
                let fixture = try Fixtures.object(file)
                #expect(Self.keys(got) == Self.keys(fixture), "\(path)")
                #expect(Self.nestedKeys(got, "pagination") == Self.nestedKeys(fixture, "pagination"), "\(path)")
                #expect(got["self"] as? String == "\(sandbox.baseURL)\(path)?skippages=0&pagesize=1000")
                let gotItems = got["collection"] as! [[String: Any]]
                let fixtureItems = fixture["collection"] as! [[String: Any]]
                // Compare items that have the same optional parts (payment terms without daysOfCredit, groups with a layout).
                let fixtureKeySets = Set(fixtureItems.map { Set($0.keys) })
                for item in gotItems {
                    #expect(fixtureKeySets.contains(Set(item.keys)), "\(path): \(item.keys.sorted())")
                }
            }
            let group = try await sandbox.json("/customer-groups/1")
            let fixtureGroup = (try Fixtures.object("customer_groups.json")["collection"] as! [[String: Any]])[0]
            #expect(Self.nestedKeys(group, "account") == Self.nestedKeys(fixtureGroup, "account"))
            let dkk = try await sandbox.json("/currencies/DKK")
            #expect(Self.keys(dkk) == ["code", "isoNumber", "name", "self"])
            #expect(try await sandbox.raw(.GET, "/vat-zones/42").status == 404)
        }
    }

    @Test("GET /self has the top-level keys of self.json except those the sandbox does not model")
    func selfEndpoint() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            let got = try await sandbox.json("/self")
            let fixture = try Fixtures.object("self.json")
            #expect(Self.keys(got) == Self.keys(fixture))
            #expect(Self.nestedKeys(got, "agreementType") == Self.nestedKeys(fixture, "agreementType"))
            #expect(Self.nestedKeys(got, "settings") == Self.nestedKeys(fixture, "settings"))
        }
    }

    @Test("the customer collection's pagination is like pagination.json: nextPage only when more, previousPage only after page 0")
    func customerPagination() async throws {
        var configuration = SandboxConfiguration()
        configuration.seed = .referenceData
        try await LiveSandbox.run(configuration) { (sandbox: LiveSandbox) async throws -> Void in
            _ = try await sandbox.admin(.POST, "/_sandbox/customers", json: #"{"generate": 3684}"#)
            let fixture = try Fixtures.object("pagination.json")
            let first = try await sandbox.json("/customers?skippages=0&pagesize=1000")
            let firstPagination = first["pagination"] as! [String: Any]
            #expect(Set(firstPagination.keys) == Set(fixture.keys))
            #expect(firstPagination["results"] as? Int == 3684)
            #expect(firstPagination["resultsWithoutFilter"] as? Int == 3684)
            #expect(firstPagination["lastPage"] as? String == "\(sandbox.baseURL)/customers?skippages=3&pagesize=1000")
            #expect((first["metaData"] as? [String: Any])?["create"] != nil)

            let last = try await sandbox.json("/customers?skippages=3&pagesize=1000")
            let lastPagination = last["pagination"] as! [String: Any]
            #expect(Set(lastPagination.keys) == Set(fixture.keys).subtracting(["nextPage"]).union(["previousPage"]))
            #expect((last["collection"] as! [Any]).count == 684)

            let defaultPage = try await sandbox.json("/customers")
            #expect((defaultPage["pagination"] as! [String: Any])["pageSize"] as? Int == 20)
            #expect(defaultPage["self"] as? String == "\(sandbox.baseURL)/customers")

            let filtered = try await sandbox.json("/customers?filter=name$like:00001&pagesize=5")
            let filteredPagination = filtered["pagination"] as! [String: Any]
            #expect(filteredPagination["resultsWithoutFilter"] as? Int == 3684)
            #expect((filteredPagination["results"] as? Int).map { $0 > 0 && $0 < 3684 } == true)
            #expect((filteredPagination["firstPage"] as? String)?.contains("filter=name%24like%3A00001") == true)
        }
    }

    @Test("a validation failure has e-conomic's 400 body shape")
    func validationShape() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            let body =
                #"{"currency":"DKK","name":"X","customerGroup":{"customerGroupNumber":1},"paymentTerms":{"paymentTermsNumber":4711},"vatZone":{"vatZoneNumber":1}}"#
            let (status, text) = try await sandbox.raw(.POST, "/customers", json: body)
            #expect(status == 400)
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
            #expect(
                Self.keys(object) == ["message", "errorCode", "developerHint", "logId", "httpStatusCode", "errors", "logTime", "errorCount"])
            #expect(object["message"] as? String == "Validation failed. 1 error(s) found.")
            #expect(object["errorCode"] as? String == "E04300")
            let property = ((object["errors"] as! [String: Any])["paymentTerms"] as! [String: Any])["errors"] as! [[String: Any]]
            #expect(Set(property[0].keys) == ["propertyName", "errorMessage", "errorCode", "inputValue", "developerHint"])
            #expect(property[0]["errorMessage"] as? String == "PaymentTerms '4711' not found.")
            #expect(property[0]["errorCode"] as? String == "E07080")
            #expect(property[0]["inputValue"] as? Int == 4711)
        }
    }
}
