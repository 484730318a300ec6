import Foundation

/// A key chosen at run time, for references like `{"paymentTermsNumber": 5, "self": "…"}`.
struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { self.stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// `{"<x>Number": n, "self": url}`, optionally with a `name`.
struct NumberedLink: Encodable, Sendable {
    var key: String
    var number: Int
    var name: String?
    var link: String

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: DynamicKey.self)
        try c.encode(number, forKey: DynamicKey(key))
        try c.encodeIfPresent(name, forKey: DynamicKey("name"))
        try c.encode(link, forKey: DynamicKey("self"))
    }
}

struct MetaAction: Encodable, Sendable {
    var description: String
    var href: String
    var httpMethod: String
}

/// The customer resource, shaped like `customer.json` / `create_customer.json`.
struct CustomerRepresentation: Encodable, Sendable {
    struct Templates: Encodable, Sendable {
        var invoice: String
        var invoiceLine: String
        var `self`: String
    }
    struct Totals: Encodable, Sendable {
        var drafts: String
        var booked: String
        var `self`: String
    }
    struct Invoices: Encodable, Sendable {
        var drafts: String
        var booked: String
        var `self`: String
    }
    struct MetaData: Encodable, Sendable {
        var delete: MetaAction
        var replace: MetaAction
    }

    var customerNumber: Int
    var currency: String
    var paymentTerms: NumberedLink
    var customerGroup: NumberedLink
    var address: String?
    var balance: Double
    var dueAmount: Double
    var corporateIdentificationNumber: String?
    var pNumber: String?
    var city: String?
    var country: String?
    var creditLimit: Double?
    var ean: String?
    var publicEntryNumber: String?
    var email: String?
    var barred: Bool?
    var name: String
    var zip: String?
    var telephoneAndFaxNumber: String?
    var mobilePhone: String?
    var vatNumber: String?
    var website: String?
    var vatZone: NumberedLink
    var layout: NumberedLink?
    var salesPerson: NumberedLink?
    var attention: NumberedLink?
    var customerContact: NumberedLink?
    var defaultDeliveryLocation: NumberedLink?
    var lastUpdated: String
    var contacts: String
    var templates: Templates
    var totals: Totals
    var deliveryLocations: String
    var invoices: Invoices
    var eInvoicingDisabledByDefault: Bool
    var metaData: MetaData
    var `self`: String

    init(_ c: SandboxCustomer, base: String) {
        let me = "\(base)/customers/\(c.customerNumber)"
        customerNumber = c.customerNumber
        currency = c.currency
        paymentTerms = NumberedLink(key: "paymentTermsNumber", number: c.paymentTerms, link: "\(base)/payment-terms/\(c.paymentTerms)")
        customerGroup = NumberedLink(key: "customerGroupNumber", number: c.customerGroup, link: "\(base)/customer-groups/\(c.customerGroup)")
        vatZone = NumberedLink(key: "vatZoneNumber", number: c.vatZone, link: "\(base)/vat-zones/\(c.vatZone)")
        layout = c.layout.map { NumberedLink(key: "layoutNumber", number: $0, link: "\(base)/layouts/\($0)") }
        salesPerson = c.salesPerson.map { NumberedLink(key: "employeeNumber", number: $0, link: "\(base)/employees/\($0)") }
        attention = c.attention.map { NumberedLink(key: "customerContactNumber", number: $0, link: "\(me)/contacts/\($0)") }
        customerContact = c.customerContact.map { NumberedLink(key: "customerContactNumber", number: $0, link: "\(me)/contacts/\($0)") }
        defaultDeliveryLocation = c.defaultDeliveryLocation.map {
            NumberedLink(key: "deliveryLocationNumber", number: $0, link: "\(me)/delivery-locations/\($0)")
        }
        address = c.address
        balance = c.balance
        dueAmount = c.dueAmount
        corporateIdentificationNumber = c.corporateIdentificationNumber
        pNumber = c.pNumber
        city = c.city
        country = c.country
        creditLimit = c.creditLimit
        ean = c.ean
        publicEntryNumber = c.publicEntryNumber
        email = c.email
        barred = c.barred ? true : nil
        name = c.name
        zip = c.zip
        telephoneAndFaxNumber = c.telephoneAndFaxNumber
        mobilePhone = c.mobilePhone
        vatNumber = c.vatNumber
        website = c.website
        lastUpdated = SandboxTime.lastUpdated(c.lastUpdated)
        contacts = "\(me)/contacts"
        templates = Templates(invoice: "\(me)/templates/invoice", invoiceLine: "\(me)/templates/invoiceline", self: "\(me)/templates")
        totals = Totals(
            drafts: "\(base)/invoices/totals/drafts/customers/\(c.customerNumber)",
            booked: "\(base)/invoices/totals/booked/customers/\(c.customerNumber)", self: "\(me)/totals")
        deliveryLocations = "\(me)/delivery-locations"
        invoices = Invoices(drafts: "\(me)/invoices/drafts", booked: "\(me)/invoices/booked", self: "\(me)/invoices")
        eInvoicingDisabledByDefault = c.eInvoicingDisabledByDefault
        metaData = MetaData(
            delete: MetaAction(description: "Delete this customer.", href: me, httpMethod: "delete"),
            replace: MetaAction(description: "Replace this customer.", href: me, httpMethod: "put"))
        self.`self` = me
    }
}

/// `pagination` of a collection. `results` is the total number of matches, not the page's size.
struct Pagination: Encodable, Sendable {
    var maxPageSizeAllowed: Int
    var skipPages: Int
    var pageSize: Int
    var results: Int
    var resultsWithoutFilter: Int
    var firstPage: String
    var nextPage: String?
    var previousPage: String?
    var lastPage: String
}

/// The collection envelope `{collection, pagination, metaData?, self}`.
struct CollectionEnvelope<Item: Encodable & Sendable>: Encodable, Sendable {
    struct CreateMetaData: Encodable, Sendable {
        var create: MetaAction
    }

    var collection: [Item]
    var pagination: Pagination
    var metaData: CreateMetaData?
    var `self`: String
}

/// Paging parameters of a collection request.
struct PageRequest: Sendable {
    static let maxPageSize = 1000
    static let defaultPageSize = 20

    var skipPages: Int
    var pageSize: Int

    init(query: [String: String]) throws(SandboxError) {
        func number(_ name: String, default value: Int) throws(SandboxError) -> Int {
            guard let text = query[name] else { return value }
            guard let n = Int(text) else {
                throw .badRequest("The query parameter '\(name)' must be a whole number.", hint: "Got '\(text)'.")
            }
            return n
        }
        skipPages = try number("skippages", default: 0)
        pageSize = try number("pagesize", default: Self.defaultPageSize)
        guard skipPages >= 0 else { throw .badRequest("skippages must not be negative.", hint: "skippages is a 0-based page index.") }
        guard (1...Self.maxPageSize).contains(pageSize) else {
            throw .badRequest(
                "pagesize must be between 1 and \(Self.maxPageSize).",
                hint: "The maximum page size allowed is \(Self.maxPageSize) (maxPageSizeAllowed); read further pages with skippages.")
        }
    }

    /// Builds the `pagination` object; `extraQuery` (filter, sort, already encoded) is kept in every link.
    func pagination(collectionURL: String, extraQuery: String, results: Int, resultsWithoutFilter: Int) -> Pagination {
        func link(_ page: Int) -> String {
            "\(collectionURL)?skippages=\(page)&pagesize=\(pageSize)\(extraQuery)"
        }
        let lastIndex = max(0, (results + pageSize - 1) / pageSize - 1)
        return Pagination(
            maxPageSizeAllowed: Self.maxPageSize, skipPages: skipPages, pageSize: pageSize, results: results,
            resultsWithoutFilter: resultsWithoutFilter, firstPage: link(0), nextPage: skipPages < lastIndex ? link(skipPages + 1) : nil,
            previousPage: skipPages > 0 ? link(min(skipPages - 1, lastIndex)) : nil, lastPage: link(lastIndex))
    }
}

// MARK: Reference collections

struct VatZoneRepresentation: Encodable, Sendable {
    var name: String
    var vatZoneNumber: Int
    var enabledForCustomer: Bool
    var enabledForSupplier: Bool
    var `self`: String

    init(_ z: SandboxVatZone, base: String) {
        name = z.name
        vatZoneNumber = z.number
        enabledForCustomer = z.enabledForCustomer
        enabledForSupplier = z.enabledForSupplier
        self.`self` = "\(base)/vat-zones/\(z.number)"
    }
}

struct CustomerGroupRepresentation: Encodable, Sendable {
    struct Account: Encodable, Sendable {
        var accountNumber: Int
        var accountType: String
        var balance: Double
        var blockDirectEntries: Bool
        var debitCredit: String
        var name: String
        var accountingYears: String
        var `self`: String
    }

    var customerGroupNumber: Int
    var name: String
    var account: Account
    var layout: NumberedLink?
    var customers: String
    var `self`: String

    init(_ g: SandboxCustomerGroup, layouts: [SandboxLayout], base: String) {
        customerGroupNumber = g.number
        name = g.name
        account = Account(
            accountNumber: g.accountNumber, accountType: "status", balance: 0, blockDirectEntries: false, debitCredit: "debit",
            name: g.accountName, accountingYears: "\(base)/accounts/\(g.accountNumber)/accounting-years",
            self: "\(base)/accounts/\(g.accountNumber)")
        layout = g.layoutNumber.map { number in
            NumberedLink(
                key: "layoutNumber", number: number, name: layouts.first { $0.number == number }?.name, link: "\(base)/layouts/\(number)")
        }
        customers = "\(base)/customer-groups/\(g.number)/customers"
        self.`self` = "\(base)/customer-groups/\(g.number)"
    }
}

struct PaymentTermsRepresentation: Encodable, Sendable {
    var paymentTermsNumber: Int
    var daysOfCredit: Int?
    var name: String
    var paymentTermsType: String
    var `self`: String

    init(_ t: SandboxPaymentTerms, base: String) {
        paymentTermsNumber = t.number
        daysOfCredit = t.daysOfCredit
        name = t.name
        paymentTermsType = t.paymentTermsType
        self.`self` = "\(base)/payment-terms/\(t.number)"
    }
}

struct LayoutRepresentation: Encodable, Sendable {
    var layoutNumber: Int
    var name: String
    var deleted: Bool?
    var `self`: String

    init(_ l: SandboxLayout, base: String) {
        layoutNumber = l.number
        name = l.name
        deleted = l.deleted ? true : nil
        self.`self` = "\(base)/layouts/\(l.number)"
    }
}

struct CurrencyRepresentation: Encodable, Sendable {
    var code: String
    var isoNumber: String
    var name: String
    var `self`: String

    init(_ c: SandboxCurrency, base: String) {
        code = c.code
        isoNumber = c.isoNumber
        name = c.name
        self.`self` = "\(base)/currencies/\(c.code)"
    }
}

/// `GET /self`, shaped like `self.json`.
struct SelfRepresentation: Encodable, Sendable {
    struct AgreementType: Encodable, Sendable {
        var agreementTypeNumber: Int
        var name: String
    }
    struct Language: Encodable, Sendable {
        var languageNumber: Int
        var name: String
        var culture: String
        var `self`: String
    }
    struct User: Encodable, Sendable {
        var loginId: String
        var email: String
        var name: String
        var language: Language
        var agreementNumber: Int
    }
    struct Company: Encodable, Sendable {
        var addressLine1: String
        var zip: String
        var city: String
        var name: String
        var email: String
        var companyIdentificationNumber: String
    }
    struct Role: Encodable, Sendable {
        var roleNumber: Int
        var name: String
    }
    struct BankInformation: Encodable, Sendable {
        var bankName: String
        var bankAccountNumber: String
    }
    struct Application: Encodable, Sendable {
        var appNumber: Int
        var name: String
        var appPublicToken: String
        var created: String
        var requiredRoles: [Role]
        var `self`: String
    }
    struct Settings: Encodable, Sendable {
        var baseCurrency: String
    }
    struct Module: Encodable, Sendable {
        var moduleNumber: Int
        var name: String
        var `self`: String
    }

    var agreementNumber: Int
    var agreementType: AgreementType
    var userName: String
    var signupDate: String
    var user: User
    var company: Company
    var bankInformation: BankInformation
    var application: Application
    var settings: Settings
    var companyAffiliation: String
    var canSendElectronicInvoice: Bool
    var modules: [Module]
    var `self`: String

    init(_ a: SandboxAgreement, base: String) {
        agreementNumber = a.agreementNumber
        agreementType = AgreementType(agreementTypeNumber: 1, name: a.agreementType)
        userName = "sandbox"
        signupDate = "2026-01-01"
        user = User(
            loginId: "sandbox", email: a.email, name: "Sandbox User",
            language: Language(languageNumber: 1, name: "Danish", culture: "da-DK", self: "\(base)/languages/1"),
            agreementNumber: a.agreementNumber)
        company = Company(
            addressLine1: a.addressLine1, zip: a.zip, city: a.city, name: a.companyName, email: a.email,
            companyIdentificationNumber: a.companyIdentificationNumber)
        bankInformation = BankInformation(bankName: "Sandbox Bank", bankAccountNumber: "0000000000")
        application = Application(
            appNumber: 1, name: "Accord e-conomic sandbox", appPublicToken: "sandbox-public-token", created: "2026-01-01",
            requiredRoles: [Role(roleNumber: 2, name: "SuperUser")],
            self: "\(base)/apps/1")
        settings = Settings(baseCurrency: a.baseCurrency)
        companyAffiliation = "e-conomic"
        canSendElectronicInvoice = false
        modules = []
        self.`self` = "\(base)/self"
    }
}
