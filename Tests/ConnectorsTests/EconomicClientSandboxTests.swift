import Connectors
import EconomicSandbox
import Foundation
import NIOHTTP1
import Testing

/// The client against the sandbox over real HTTP on 127.0.0.1 (port 0).
@Suite("EconomicClient against the sandbox")
struct EconomicClientSandboxTests {
    static func newCustomer(_ name: String, email: String? = nil, number: Int? = nil) -> EconomicCustomer {
        var customer = EconomicCustomer(customerNumber: number, name: name, currency: "DKK", customerGroup: 1, paymentTerms: 1, vatZone: 1)
        customer.email = email
        return customer
    }

    @Test("GET /self and the reference collections")
    func reference() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            let client = sandbox.client()
            let info = try await client.selfInfo()
            #expect(info.agreementNumber == 1_118_081)
            #expect(try await client.vatZones().map(\.vatZoneNumber) == [1, 2, 3, 4])
            #expect(try await client.currencies().map(\.code) == ["DKK", "EUR", "USD", "SEK", "NOK", "GBP"])
            #expect(try await client.paymentTerms().count == 9)
            #expect(try await client.customerGroups().map(\.customerGroupNumber) == [1, 2, 1000])
            #expect(try await client.layouts().map(\.layoutNumber) == [19, 20, 21])
        }
    }

    @Test("validateDefaults reports each missing default")
    func defaults() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            let client = sandbox.client()
            #expect(try await client.validateDefaults(.init(paymentTerms: 1, customerGroup: 1, vatZone: 1, currency: "DKK", layout: 19)).isEmpty)
            let problems = try await client.validateDefaults(.init(paymentTerms: 4711, customerGroup: 9, vatZone: 99, currency: "XXX", layout: 5))
            #expect(problems.map(\.field) == ["paymentTerms", "customerGroup", "vatZone", "currency", "layout"])
            #expect(problems[0].description.hasPrefix("paymentTerms 4711: no payment terms with this number (available: 1 Netto 8 dage"))
        }
    }

    @Test("create without a number: e-conomic's number is read from the 201 body")
    func createAssignsNumber() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            let client = sandbox.client()
            let created = try await client.createCustomer(Self.newCustomer("Mr. Anderson", email: "neo@example.com"))
            let number = try #require(created.customerNumber)
            #expect((100_000_000...999_999_999).contains(number))
            #expect(created.lastUpdated != nil)
            #expect(created.paymentTerms?.selfURL == "\(sandbox.baseURL)/payment-terms/1")
            let read = try await client.customer(number: number)
            #expect(read?.email == "neo@example.com")
        }
    }

    @Test("create with an explicit number, then the same number again is a validation error")
    func explicitAndDuplicateNumber() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            let client = sandbox.client()
            let created = try await client.createCustomer(Self.newCustomer("Explicit", number: 4242))
            #expect(created.customerNumber == 4242)
            let error = await #expect(throws: EconomicAPIError.self) {
                try await client.createCustomer(Self.newCustomer("Again", number: 4242))
            }
            #expect(error?.code == .validationFailed)
            #expect(error?.httpStatus == 400)
            #expect(error?.errorCode == "E04300")
            #expect(error?.fieldErrors.map(\.field) == ["customerNumber"])
        }
    }

    @Test("get: nil for a missing customer")
    func getMissing() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            #expect(try await sandbox.client().customer(number: 999_999) == nil)
            #expect(try await sandbox.client().customer(number: 1)?.name == "Anna Jensen")
        }
    }

    @Test("PUT is a full replace: omitted optional fields are cleared; updateCustomer keeps them")
    func replaceAndUpdate() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            let client = sandbox.client()
            // Customer 2 has address, zip, city, CVR, phone, website, layout.
            let updated = try await client.updateCustomer(number: 2) { $0.email = "new@nordiskdesign.example" }
            #expect(updated.email == "new@nordiskdesign.example")
            #expect(updated.corporateIdentificationNumber == "29403473")
            #expect(updated.layout?.number == 19)
            #expect(updated.city == "Aarhus C")

            var bare = Self.newCustomer("Nordisk Design ApS")
            bare.paymentTerms = .init(5)
            let replaced = try await client.replaceCustomer(number: 2, bare)
            #expect(replaced.customerNumber == 2)
            #expect(replaced.corporateIdentificationNumber == nil)
            #expect(replaced.layout == nil)
            #expect(replaced.email == nil)
            #expect(replaced.city == nil)
            let read = try #require(try await client.customer(number: 2))
            #expect(read.address == nil)
            #expect(read.paymentTerms?.number == 5)

            let missing = await #expect(throws: EconomicAPIError.self) { try await client.updateCustomer(number: 123_456) { _ in } }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("delete: 204, then gone; deleting again reports false")
    func delete() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            let client = sandbox.client()
            #expect(try await client.deleteCustomer(number: 7))
            #expect(try await client.customer(number: 7) == nil)
            #expect(try await client.deleteCustomer(number: 7) == false)
        }
    }

    @Test("paging 2,500 customers with pageSize 1000: three pages, results is the total")
    func paging() async throws {
        var configuration = SandboxConfiguration()
        configuration.seed = .referenceData
        try await LiveSandbox.run(configuration) { (sandbox: LiveSandbox) async throws -> Void in
            let (status, _) = try await sandbox.admin(.POST, "/_sandbox/customers", json: #"{"generate": 2500}"#)
            #expect(status == 201)
            let client = sandbox.client()
            var pages: [EconomicPage<EconomicCustomer>] = []
            for try await page in client.customerPages(pageSize: 1000) { pages.append(page) }
            #expect(pages.map(\.items.count) == [1000, 1000, 500])
            #expect(pages.allSatisfy { $0.pagination.results == 2500 })
            #expect(pages[0].pagination.nextPage != nil && pages[0].pagination.previousPage == nil)
            #expect(pages[2].pagination.nextPage == nil && pages[2].pagination.previousPage != nil)
            let all = pages.flatMap(\.items).compactMap(\.customerNumber)
            #expect(Set(all).count == 2500)
            #expect(all == all.sorted())

            let firstPage = try await client.customers(page: 0, pageSize: 20)
            #expect(firstPage.items.count == 20)
            #expect(firstPage.pagination.results == 2500)
            let tooBig = await #expect(throws: EconomicAPIError.self) { try await client.customers(pageSize: 1001) }
            #expect(tooBig?.code == .badRequest)
            let (rawStatus, rawBody) = try await sandbox.raw(.GET, "/customers?pagesize=1001")
            #expect(rawStatus == 400)
            #expect(rawBody.contains("1000"))
        }
    }

    @Test("filters: + in an email (sent as %2B), parentheses and stars in names, case-insensitivity")
    func filters() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            let client = sandbox.client()
            let plus = try await client.allCustomers(filter: .equals("email", "JENS+invoices@example.com"))
            #expect(plus.map(\.customerNumber) == [8])
            // The same filter with a raw '+' arrives as a space and matches nothing: encoding matters.
            let rawPlus = try await sandbox.json("/customers?filter=email$eq:jens+invoices@example.com")
            #expect((rawPlus["collection"] as? [Any])?.count == 0)

            #expect(try await client.allCustomers(filter: .equals("name", "Jens Berg (Consulting)")).map(\.customerNumber) == [8])
            #expect(try await client.allCustomers(filter: .like("name", contains: "(consulting)")).map(\.customerNumber) == [8])

            let star = try await client.createCustomer(Self.newCustomer("Star * Shop"))
            _ = try await client.createCustomer(Self.newCustomer("Star Shop"))
            #expect(try await client.allCustomers(filter: .equals("name", "Star * Shop")).map(\.customerNumber) == [star.customerNumber])
            #expect(try await client.allCustomers(filter: .like("name", pattern: "star*shop")).count == 2)
            #expect(try await client.allCustomers(filter: .like("name", contains: "r * S")).map(\.customerNumber) == [star.customerNumber])

            // Two space-separated emails: "contains" finds one of them.
            #expect(try await client.allCustomers(filter: .like("email", contains: "ap@hansen.example")).map(\.customerNumber) == [3])
            #expect(try await client.allCustomers(filter: .equals("corporateIdentificationNumber", "29403473")).map(\.customerNumber) == [2])
            let either = EconomicFilter.equals("email", "anna@example.com").or(.equals("email", "mette@example.com"))
            #expect(try await client.allCustomers(filter: either).map(\.customerNumber) == [1, 6])
            let inList = try EconomicFilter.field("customerNumber", in: [1, 5, 7]).and(.equals("currency", "DKK"))
            #expect(try await client.allCustomers(filter: inList).map(\.customerNumber) == [1, 7])
            #expect(try await client.allCustomers(filter: .isNull("email")).compactMap(\.customerNumber).contains(7))

            let badField = await #expect(throws: EconomicAPIError.self) { try await client.customers(filter: .equals("pNumber", "x")) }
            #expect(badField?.code == .badRequest)
            #expect(badField?.message.contains("Could not parse query string filter.") == true)
        }
    }

    @Test("customers(updatedAfter:) uses lastUpdated$gt with a UTC Z timestamp")
    func updatedAfter() async throws {
        var configuration = SandboxConfiguration()
        configuration.seed = .referenceData
        try await LiveSandbox.run(configuration) { (sandbox: LiveSandbox) async throws -> Void in
            let seed = """
                {"customers": [
                  {"customerNumber": 10, "name": "Old", "currency": "DKK", "customerGroup": {"customerGroupNumber": 1}, "paymentTerms": {"paymentTermsNumber": 1}, "vatZone": {"vatZoneNumber": 1}, "lastUpdated": "2020-01-01T00:00:00Z"},
                  {"customerNumber": 11, "name": "Edge", "currency": "DKK", "customerGroup": {"customerGroupNumber": 1}, "paymentTerms": {"paymentTermsNumber": 1}, "vatZone": {"vatZoneNumber": 1}, "lastUpdated": "2024-01-01T00:00:00Z"},
                  {"customerNumber": 12, "name": "New", "currency": "DKK", "customerGroup": {"customerGroupNumber": 1}, "paymentTerms": {"paymentTermsNumber": 1}, "vatZone": {"vatZoneNumber": 1}, "lastUpdated": "2025-06-01T12:30:00Z"}
                ]}
                """
            #expect(try await sandbox.admin(.POST, "/_sandbox/customers", json: seed).status == 201)
            let since = try #require(EconomicDate.parse("2024-01-01T00:00:00Z"))
            let changed = try await sandbox.client().customers(updatedAfter: since)
            #expect(changed.map(\.customerNumber) == [12])
            #expect(changed.first?.lastUpdated == "2025-06-01T12:30:00Z")
        }
    }

    @Test("validation errors are parsed into field errors with an actionable description")
    func validation() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            var customer = Self.newCustomer(String(repeating: "x", count: 256))
            customer.paymentTerms = .init(4711)
            customer.currency = "XYZ"
            let error = await #expect(throws: EconomicAPIError.self) { try await sandbox.client().createCustomer(customer) }
            let e = try #require(error)
            #expect(e.code == .validationFailed)
            #expect(e.fieldErrors.map(\.field) == ["currency", "name", "paymentTerms"])
            #expect(e.fieldErrors.first { $0.field == "paymentTerms" }?.message == "PaymentTerms '4711' not found.")
            #expect(e.fieldErrors.first { $0.field == "paymentTerms" }?.errorCode == "E07080")
            #expect(e.description.hasPrefix("e-conomic rejected the customer: currency: Currency 'XYZ' not found.; name:"))
            #expect(e.description.contains("paymentTerms: PaymentTerms '4711' not found. (E04300, logId "))
            #expect(!e.description.contains(LiveSandbox.appSecret) && !e.description.contains(LiveSandbox.grant))
        }
    }

    @Test("401 with bad tokens; the description never shows a token")
    func unauthorized() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            let client = sandbox.client(appSecret: "wrong-secret-token", grant: "wrong-grant-token")
            let error = await #expect(throws: EconomicAPIError.self) { try await client.customers() }
            #expect(error?.code == .unauthorized)
            #expect(error?.httpStatus == 401)
            let text = "\(error!) \(client.configuration)"
            #expect(!text.contains("wrong-secret-token") && !text.contains("wrong-grant-token"))
        }
    }

    @Test("429 with Retry-After is parsed and retryable")
    func rateLimited() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            #expect(try await sandbox.admin(.PATCH, "/_sandbox/knobs", json: #"{"retryAfterSeconds": 7}"#).status == 200)
            #expect(try await sandbox.admin(.POST, "/_sandbox/faults", json: #"{"next": ["rateLimit"]}"#).status == 200)
            let client = sandbox.client()
            let error = await #expect(throws: EconomicAPIError.self) { try await client.createCustomer(Self.newCustomer("Limited")) }
            #expect(error?.code == .rateLimited(retryAfter: 7))
            #expect(error?.isRetryable == true)
            #expect(error?.isAmbiguous == false)
            #expect(try await client.allCustomers(filter: .equals("name", "Limited")).isEmpty)
        }
    }

    @Test("5xx is a retryable server error")
    func serverError() async throws {
        var configuration = SandboxConfiguration()
        configuration.knobs = SandboxKnobs(serverErrorRate: 1, serverErrorStatus: 503)
        try await LiveSandbox.run(configuration) { (sandbox: LiveSandbox) async throws -> Void in
            let client = sandbox.client()
            let error = await #expect(throws: EconomicAPIError.self) { try await client.createCustomer(Self.newCustomer("Unlucky")) }
            #expect(error?.code == .serverError)
            #expect(error?.httpStatus == 503)
            #expect(error?.isRetryable == true)
            // Reads are outside the default scope (customer writes).
            #expect(try await client.customer(number: 1) != nil)
        }
    }

    @Test("commit then drop: the client reports an ambiguous error and the customer exists")
    func commitThenDrop() async throws {
        try await LiveSandbox.run { (sandbox: LiveSandbox) async throws -> Void in
            #expect(try await sandbox.admin(.POST, "/_sandbox/faults", json: #"{"next": ["dropResponse"]}"#).status == 200)
            let client = sandbox.client()
            let error = await #expect(throws: EconomicAPIError.self) {
                try await client.createCustomer(Self.newCustomer("Dropped Ltd", email: "dropped@example.com"))
            }
            #expect(error?.code == .transport)
            #expect(error?.isAmbiguous == true)
            #expect(error?.isRetryable == true)
            let found = try await client.allCustomers(filter: .equals("email", "dropped@example.com"))
            #expect(found.map(\.name) == ["Dropped Ltd"])
            let stats = try await sandbox.admin(.GET, "/_sandbox/stats")
            #expect(stats.body.contains(#""dropResponse":1"#))
        }
    }

    @Test("latency longer than the client's timeout gives a timeout; a write is then ambiguous")
    func timeout() async throws {
        var configuration = SandboxConfiguration()
        configuration.knobs = SandboxKnobs(latencyMilliseconds: 4000, scope: .customers)
        try await LiveSandbox.run(configuration) { (sandbox: LiveSandbox) async throws -> Void in
            let client = sandbox.client(timeout: .milliseconds(250))
            let read = await #expect(throws: EconomicAPIError.self) { try await client.customer(number: 1) }
            #expect(read?.code == .timeout)
            #expect(read?.isAmbiguous == false)
            let write = await #expect(throws: EconomicAPIError.self) { try await client.createCustomer(Self.newCustomer("Slow")) }
            #expect(write?.code == .timeout)
            #expect(write?.isAmbiguous == true)
            // /self is outside the scope: it answers within 3 s, which the 4 s of added latency could not (the
            // margin keeps a busy machine running tests in parallel from making this flaky).
            #expect(try await sandbox.client(timeout: .seconds(3)).selfInfo().agreementNumber == 1_118_081)
        }
    }

    @Test("a port with nothing listening is a transport error that is not ambiguous")
    func connectionRefused() async throws {
        let client = EconomicClient(
            configuration: .init(baseURL: "http://127.0.0.1:1", appSecretToken: "a-secret", agreementGrantToken: "a-grant", timeout: .seconds(5)))
        let error = await #expect(throws: EconomicAPIError.self) { try await client.createCustomer(Self.newCustomer("Nobody")) }
        #expect(error?.code == .transport || error?.code == .timeout)
        #expect(error?.isAmbiguous == false)
    }
}
