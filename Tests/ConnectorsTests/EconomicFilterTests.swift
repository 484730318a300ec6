import Foundation
import Testing

@testable import Connectors

@Suite("EconomicFilter builder")
struct EconomicFilterTests {
    @Test("escapes each reserved character with $")
    func escaping() {
        #expect(EconomicFilter.escape("a$b(c)d*e,f[g]h") == "a$$b$(c$)d$*e$,f$[g$]h")
        #expect(EconomicFilter.equals("name", "Jens Berg (Consulting)").expression == "name$eq:Jens Berg $(Consulting$)")
        #expect(EconomicFilter.equals("name", "Star * Shop").expression == "name$eq:Star $* Shop")
        #expect(EconomicFilter.equals("email", "jo+billing@example.com").expression == "email$eq:jo+billing@example.com")
    }

    @Test("like: contains, starts with, ends with, pattern")
    func like() {
        #expect(EconomicFilter.like("name", contains: "a*b").expression == "name$like:a$*b")
        #expect(EconomicFilter.like("city", startsWith: "Køben").expression == "city$like:Køben*")
        #expect(EconomicFilter.like("city", endsWith: "port").expression == "city$like:*port")
        #expect(EconomicFilter.like("name", pattern: "A*(B)*").expression == "name$like:A*$(B$)*")
    }

    @Test("and/or group with parentheses only where needed")
    func combining() {
        let joe = EconomicFilter.equals("name", "Joe")
        let city = EconomicFilter.like("city", endsWith: "port")
        let credit = EconomicFilter.field("creditLimit", .lt, 40)
        #expect(joe.and(city.or(credit)).expression == "name$eq:Joe$and:(city$like:*port$or:creditLimit$lt:40)")
        #expect(joe.and(city).and(credit).expression == "name$eq:Joe$and:city$like:*port$and:creditLimit$lt:40")
        #expect(joe.and(city).or(credit).expression == "(name$eq:Joe$and:city$like:*port)$or:creditLimit$lt:40")
    }

    @Test("$in/$nin take at most 200 numbers")
    func inLimit() throws {
        #expect(try EconomicFilter.field("customerNumber", in: [2, 5, 7]).expression == "customerNumber$in:[2,5,7]")
        #expect(try EconomicFilter.field("customerNumber", notIn: [1]).expression == "customerNumber$nin:[1]")
        #expect(try EconomicFilter.field("customerNumber", in: Array(1...200)).expression.hasSuffix(",200]"))
        #expect(throws: EconomicFilter.BuildError.self) { try EconomicFilter.field("customerNumber", in: Array(1...201)) }
        #expect(throws: EconomicFilter.BuildError.self) { try EconomicFilter.field("customerNumber", in: []) }
    }

    @Test("null checks")
    func nulls() {
        #expect(EconomicFilter.isNull("email").expression == "email$eq:$null:")
        #expect(EconomicFilter.isNotNull("email").expression == "email$ne:$null:")
    }

    @Test("lastUpdated$gt uses UTC with Z and whole seconds")
    func lastUpdated() {
        let date = Date(timeIntervalSince1970: 1_547_378_542.75)  // 2019-01-13T11:22:22.75Z
        #expect(EconomicFilter.lastUpdated(after: date).expression == "lastUpdated$gt:2019-01-13T11:22:22Z")
    }

    @Test("the query value percent-encodes everything but unreserved characters; + becomes %2B")
    func urlEncoding() {
        let filter = EconomicFilter.equals("email", "jo+billing@example.com")
        #expect(filter.queryValue == "email%24eq%3Ajo%2Bbilling%40example.com")
        #expect(EconomicFilter.equals("name", "Æble & Co").queryValue == "name%24eq%3A%C3%86ble%20%26%20Co")
        #expect(!filter.queryValue.contains("+"))
    }
}

@Suite("EconomicCustomer field map")
struct EconomicFieldMapTests {
    @Test("builds a customer from the domain's map and back, leaving out empty values")
    func roundTrip() throws {
        let map = [
            "name": "Anna Jensen", "currency": "dkk", "customerGroup": "1", "paymentTerms": "5", "vatZone": "2", "layout": "19",
            "email": "anna@example.com", "city": "København", "corporateIdentificationNumber": "29403473", "zip": "",
        ]
        let customer = try EconomicCustomer(fieldMap: map)
        #expect(customer.customerNumber == nil)
        #expect(customer.currency == "DKK")
        #expect(customer.paymentTerms?.number == 5)
        #expect(customer.zip == nil)
        var expected = map
        expected["currency"] = "DKK"
        expected["zip"] = nil
        #expect(customer.fieldMap == expected)

        let body = try JSONSerialization.jsonObject(with: JSONEncoder().encode(customer.writeBody)) as! [String: Any]
        #expect(body["zip"] == nil)
        #expect(body["customerNumber"] == nil)
        #expect((body["vatZone"] as? [String: Any])?["vatZoneNumber"] as? Int == 2)
    }

    @Test("applying a map changes only the named fields; empty clears; read-only keys are ignored")
    func apply() throws {
        var customer = EconomicCustomer(customerNumber: 7, name: "Peter", currency: "DKK", customerGroup: 1, paymentTerms: 1, vatZone: 1)
        customer.email = "old@example.com"
        customer.city = "Esbjerg"
        try customer.apply(fieldMap: ["email": "new@example.com", "city": "", "barred": "true", "lastUpdated": "2020-01-01T00:00:00Z"])
        #expect(customer.email == "new@example.com")
        #expect(customer.city == nil)
        #expect(customer.barred == nil)
        #expect(customer.name == "Peter")
        #expect(customer.customerNumber == 7)
    }

    @Test("bad numbers and unknown keys are errors")
    func errors() {
        #expect(throws: EconomicFieldMapError.self) { try EconomicCustomer(fieldMap: ["paymentTerms": "net8"]) }
        #expect(throws: EconomicFieldMapError.self) { try EconomicCustomer(fieldMap: ["nickname": "x"]) }
        #expect(EconomicCustomer.fieldMapKeys.count == 21)
    }
}

@Suite("EconomicAPIError")
struct EconomicAPIErrorTests {
    static let validationBody = """
        {"message":"Validation failed. 1 error(s) found.","errorCode":"E04300","developerHint":"Inspect validation errors and correct your request.","logId":"86d2a1f150c392bb-CPH","httpStatusCode":400,"errors":{"paymentTerms":{"errors":[{"propertyName":"paymentTerms","errorMessage":"PaymentTerms '4711' not found.","errorCode":"E07080","inputValue":4711,"developerHint":"Find a list of paymentTermss at https://restapi.e-conomic.com/payment-terms ."}]}},"logTime":"2022-04-05T10:42:58","errorCount":1}
        """

    @Test("a validation body becomes field errors and an actionable description")
    func validation() {
        let error = EconomicAPIError.fromResponse(status: 400, body: Data(Self.validationBody.utf8), operation: "create customer", isWrite: true)
        #expect(error.code == .validationFailed)
        #expect(
            error.fieldErrors == [.init(field: "paymentTerms", message: "PaymentTerms '4711' not found.", errorCode: "E07080", inputValue: "4711")])
        #expect(
            error.description
                == "e-conomic rejected the customer: paymentTerms: PaymentTerms '4711' not found. (E04300, logId 86d2a1f150c392bb-CPH)")
        #expect(!error.isRetryable)
        #expect(!error.isAmbiguous)
    }

    @Test("nested array errors and the 2015 shape are flattened with paths")
    func nested() {
        let body = """
            {"message":"Validation failed. 2 error(s) found.","errorCode":"E04300","errors":{"lines":{"items":[{"arrayIndex":8,"product":{"errors":[{"propertyName":"product","errorMessage":"Product is barred.","errorCode":"E06600","inputValue":"P1"}]}}]},"name":{"errors":[{"message":"Too long.","value":"x"}]}}}
            """
        let error = EconomicAPIError.fromResponse(status: 400, body: Data(body.utf8), operation: "create invoice")
        #expect(
            error.fieldErrors == [
                .init(field: "lines[8].product", message: "Product is barred.", errorCode: "E06600", inputValue: "P1"),
                .init(field: "name", message: "Too long.", inputValue: "x"),
            ])
    }

    @Test("status codes map to codes; 429 keeps Retry-After; retryable and ambiguous flags")
    func codes() {
        func error(_ status: Int, retryAfter: String? = nil, write: Bool = false) -> EconomicAPIError {
            .fromResponse(status: status, body: Data("{}".utf8), retryAfter: retryAfter, operation: "x", isWrite: write)
        }
        #expect(error(401).code == .unauthorized)
        #expect(error(403).code == .forbidden)
        #expect(error(415).code == .badRequest)
        #expect(error(429, retryAfter: "12").code == .rateLimited(retryAfter: 12))
        #expect(error(429, retryAfter: "12").retryAfterSeconds == 12)
        #expect(error(429).isRetryable)
        #expect(error(503).code == .serverError)
        #expect(error(503, write: true).isRetryable)
        #expect(!error(503, write: true).isAmbiguous)
        let dropped = EconomicAPIError(code: .transport, operation: "create customer", message: "closed", isWrite: true)
        #expect(dropped.isAmbiguous)
        #expect(dropped.description.contains("may or may not have been made"))
        let refused = EconomicAPIError(
            code: .transport, operation: "create customer", message: "refused", isWrite: true, requestMayHaveBeenSent: false)
        #expect(!refused.isAmbiguous)
        #expect(EconomicAPIError.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == 0)
    }

    @Test("a 201 that cannot be read still names the customer it made: by its Location, else by what the body holds")
    func createdNumber() {
        #expect(EconomicClient.createdNumber(location: "https://restapi.e-conomic.com/customers/4711", body: Data("<html>".utf8)) == 4711)
        #expect(EconomicClient.createdNumber(location: nil, body: Data(#"{"customerNumber":815,"name":7}"#.utf8)) == 815)
        #expect(EconomicClient.createdNumber(location: "/customers/abc", body: Data("{}".utf8)) == nil)
        #expect(EconomicClient.createdNumber(location: nil, body: Data()) == nil)
    }
}
