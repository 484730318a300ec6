import Connectors
import Foundation
import Testing

/// Every recorded e-conomic response must parse with the client's models.
@Suite("e-conomic fixtures parse")
struct EconomicFixtureTests {
    @Test("all fixture files are covered by a test")
    func allFilesKnown() {
        #expect(
            Fixtures.jsonFiles == [
                "404.json", "create_customer.json", "customer.json", "customer_groups.json", "layouts.json", "pagination.json",
                "payment_terms.json", "self.json", "update_customer.json", "vat_zones.json",
            ])
    }

    @Test("customer.json: refs, barred, layout, free-text country, balance")
    func customer() throws {
        let customer = try JSONDecoder().decode(EconomicCustomer.self, from: Fixtures.data("customer.json"))
        #expect(customer.customerNumber == 1)
        #expect(customer.name == "Horsens Kommune")
        #expect(customer.currency == "DKK")
        #expect(customer.paymentTerms?.number == 5)
        #expect(customer.paymentTerms?.selfURL == "https://restapi.e-conomic.com/payment-terms/5")
        #expect(customer.customerGroup?.number == 1)
        #expect(customer.vatZone?.number == 1)
        #expect(customer.layout?.number == 16)
        #expect(customer.barred == true)
        #expect(customer.country == "aaaaaa")
        #expect(customer.balance == 151_875)
        #expect(customer.lastUpdated == "2019-01-22T16:03:55Z")
        #expect(customer.lastUpdatedDate == Date(timeIntervalSince1970: 1_548_173_035))
        #expect(customer.selfURL == "https://restapi.e-conomic.com/customers/201")
        #expect(Set(customer.otherFields.keys) == ["contacts", "templates", "totals", "deliveryLocations", "invoices", "metaData"])

        let map = customer.fieldMap
        #expect(
            map == [
                "customerNumber": "1", "name": "Horsens Kommune", "currency": "DKK", "customerGroup": "1", "paymentTerms": "5",
                "vatZone": "1", "layout": "16", "address": "High road 32", "zip": "8700", "city": "Horsens", "country": "aaaaaa",
                "email": "aaaa@aaa.com", "telephoneAndFaxNumber": "7629 2929", "lastUpdated": "2019-01-22T16:03:55Z", "barred": "true",
            ])
    }

    @Test("the write body of a read customer leaves out read-only properties and keeps writable ones")
    func writeBody() throws {
        let customer = try JSONDecoder().decode(EconomicCustomer.self, from: Fixtures.data("customer.json"))
        let body = try JSONSerialization.jsonObject(with: JSONEncoder().encode(customer.writeBody)) as! [String: Any]
        #expect(
            Set(body.keys) == [
                "customerNumber", "name", "currency", "paymentTerms", "customerGroup", "vatZone", "layout", "address", "zip", "city",
                "country", "email", "telephoneAndFaxNumber", "barred",
            ])
        #expect((body["paymentTerms"] as? [String: Any])?["paymentTermsNumber"] as? Int == 5)
    }

    @Test("a full encode round-trips")
    func roundTrip() throws {
        for name in ["customer.json", "create_customer.json", "update_customer.json"] {
            let customer = try JSONDecoder().decode(EconomicCustomer.self, from: Fixtures.data(name))
            let again = try JSONDecoder().decode(EconomicCustomer.self, from: JSONEncoder().encode(customer))
            #expect(again == customer, "\(name)")
        }
    }

    @Test("create_customer.json: the assigned number and eInvoicingDisabledByDefault")
    func created() throws {
        let customer = try JSONDecoder().decode(EconomicCustomer.self, from: Fixtures.data("create_customer.json"))
        #expect(customer.customerNumber == 974_994_345)
        #expect(customer.name == "Mr. Anderson")
        #expect(customer.eInvoicingDisabledByDefault == false)
        #expect(customer.dueAmount == 0)
        #expect(customer.barred == nil)
        #expect(customer.fieldMap["barred"] == nil)
    }

    @Test("update_customer.json")
    func updated() throws {
        let customer = try JSONDecoder().decode(EconomicCustomer.self, from: Fixtures.data("update_customer.json"))
        #expect(customer.customerNumber == 974_994_344)
        #expect(customer.name == "A new name")
        #expect(customer.lastUpdated == "2024-10-17T17:39:39Z")
    }

    @Test("reference collections parse with their pagination")
    func referenceCollections() throws {
        let decoder = JSONDecoder()
        let zones = try decoder.decode(EconomicPage<EconomicVatZone>.self, from: Fixtures.data("vat_zones.json"))
        #expect(zones.items.map(\.vatZoneNumber) == [1, 2, 3, 4])
        #expect(zones.items[3].enabledForSupplier == false)
        #expect(zones.pagination.results == 4)
        #expect(!zones.hasNextPage)

        let groups = try decoder.decode(EconomicPage<EconomicCustomerGroup>.self, from: Fixtures.data("customer_groups.json"))
        #expect(groups.items.count == 16)
        #expect(groups.items[1].layout?.number == 21)
        #expect(groups.items[0].account?.accountNumber == 5600)
        #expect(groups.items.last?.customerGroupNumber == 1_233_422_123)

        let terms = try decoder.decode(EconomicPage<EconomicPaymentTerms>.self, from: Fixtures.data("payment_terms.json"))
        #expect(terms.items.count == 9)
        #expect(terms.items[3].paymentTermsType == "invoiceMonth")
        #expect(terms.items[6].daysOfCredit == nil)

        let layouts = try decoder.decode(EconomicPage<EconomicLayout>.self, from: Fixtures.data("layouts.json"))
        #expect(layouts.items.map(\.layoutNumber) == [19, 20, 21])
    }

    @Test("pagination.json: results is the total, nextPage present, previousPage absent")
    func pagination() throws {
        let pagination = try JSONDecoder().decode(EconomicPagination.self, from: Fixtures.data("pagination.json"))
        #expect(pagination.results == 3684)
        #expect(pagination.pageSize == 1000)
        #expect(pagination.nextPage != nil)
        #expect(pagination.previousPage == nil)
        #expect(pagination.lastPage == "https://restapi.e-conomic.com/customers?skippages=3&pagesize=1000")
    }

    @Test("self.json")
    func selfInfo() throws {
        let info = try JSONDecoder().decode(EconomicSelf.self, from: Fixtures.data("self.json"))
        #expect(info.agreementNumber == 1_118_081)
        #expect(info.company?.name == "The Demo Company")
        #expect(info.company?.companyIdentificationNumber == "29403473")
        #expect(info.settings?.baseCurrency == "DKK")
    }

    @Test("404.json becomes a notFound error with its logId")
    func notFound() throws {
        let error = EconomicAPIError.fromResponse(status: 404, body: try Fixtures.data("404.json"), operation: "read customer 5")
        #expect(error.code == .notFound)
        #expect(error.logId == "8d79f54f226ebe44-CPH")
        #expect(error.message == "Resource not found.")
        #expect(!error.isRetryable)
        #expect(error.description == "e-conomic found nothing (HTTP 404) while trying to read customer 5 (logId 8d79f54f226ebe44-CPH)")
    }
}
