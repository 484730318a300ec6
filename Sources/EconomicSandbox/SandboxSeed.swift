import Foundation

/// The data a fresh sandbox starts with: the agreement, its reference collections and some customers.
public struct SandboxSeed: Codable, Sendable, Equatable {
    /// What `GET /self` shows.
    public var agreement: SandboxAgreement
    /// `/vat-zones`.
    public var vatZones: [SandboxVatZone]
    /// `/customer-groups`.
    public var customerGroups: [SandboxCustomerGroup]
    /// `/payment-terms`.
    public var paymentTerms: [SandboxPaymentTerms]
    /// `/layouts`.
    public var layouts: [SandboxLayout]
    /// `/currencies`.
    public var currencies: [SandboxCurrency]
    /// Customers that exist from the start.
    public var customers: [SandboxCustomer]

    /// Creates a seed.
    public init(
        agreement: SandboxAgreement,
        vatZones: [SandboxVatZone],
        customerGroups: [SandboxCustomerGroup],
        paymentTerms: [SandboxPaymentTerms],
        layouts: [SandboxLayout],
        currencies: [SandboxCurrency],
        customers: [SandboxCustomer]
    ) {
        self.agreement = agreement
        self.vatZones = vatZones
        self.customerGroups = customerGroups
        self.paymentTerms = paymentTerms
        self.layouts = layouts
        self.currencies = currencies
        self.customers = customers
    }

    /// The demo's reference data without any customer.
    public static var referenceData: SandboxSeed {
        var seed = demo
        seed.customers = []
        return seed
    }

    /// A Danish agreement with the reference data of the recorded fixtures (traels-it/economic-rest, MIT) and
    /// eight customers for the Stripe demo to match against:
    ///
    /// | # | name | what it is for |
    /// |---|---|---|
    /// | 1 | Anna Jensen | email `anna@example.com` (matches a Stripe customer by email) |
    /// | 2 | Nordisk Design ApS | company, CVR `29403473` in `corporateIdentificationNumber`, email `billing@nordiskdesign.example` |
    /// | 3 | Hansen & Co | two space-separated emails: `finance@hansen.example ap@hansen.example` |
    /// | 4 | Erik Svensson | Sweden, VAT zone 2 (EU), SEK, email `erik.svensson@example.se` |
    /// | 5 | Globex Inc. | USA, VAT zone 3 (Abroad), USD, email `ap@globex.example` |
    /// | 6 | Mette Kristensen | barred, email `mette@example.com` |
    /// | 7 | Peter Holm | no email, phone `+45 20 30 40 50` (match by phone) |
    /// | 8 | Jens Berg (Consulting) | email with a plus `jens+invoices@example.com`, a name with parentheses |
    public static var demo: SandboxSeed {
        let updated = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        return SandboxSeed(
            agreement: SandboxAgreement(
                agreementNumber: 1_118_081,
                agreementType: "denmark",
                companyName: "Accord Sandbox ApS",
                addressLine1: "Langebrogade 1",
                zip: "1411",
                city: "Copenhagen",
                companyIdentificationNumber: "12345674",
                email: "sandbox@example.com",
                baseCurrency: "DKK"
            ),
            vatZones: [
                SandboxVatZone(number: 1, name: "Domestic"),
                SandboxVatZone(number: 2, name: "EU"),
                SandboxVatZone(number: 3, name: "Abroad"),
                SandboxVatZone(number: 4, name: "Domestic exempt VAT", enabledForSupplier: false),
            ],
            customerGroups: [
                SandboxCustomerGroup(number: 1, name: "Danske"),
                SandboxCustomerGroup(number: 2, name: "Udenlandske", layoutNumber: 21),
                SandboxCustomerGroup(number: 1000, name: "Unit Test", accountNumber: 1020, accountName: "Salg af varer til udland", layoutNumber: 20),
            ],
            paymentTerms: [
                SandboxPaymentTerms(number: 1, name: "Netto 8 dage", daysOfCredit: 8),
                SandboxPaymentTerms(number: 2, name: "Netto 14 dage", daysOfCredit: 14),
                SandboxPaymentTerms(number: 3, name: "Til omgående betaling", daysOfCredit: 0),
                SandboxPaymentTerms(number: 4, name: "Løbende måned 30 dage", daysOfCredit: 30, paymentTermsType: "invoiceMonth"),
                SandboxPaymentTerms(number: 5, name: "Netto 30 dage", daysOfCredit: 30),
                SandboxPaymentTerms(number: 6, name: "Net 14 days", daysOfCredit: 14),
                SandboxPaymentTerms(number: 7, name: "DemoDueDatePaymentTerms", paymentTermsType: "dueDate"),
                SandboxPaymentTerms(number: 8, name: "Prepaid", paymentTermsType: "prepaid"),
                SandboxPaymentTerms(number: 14, name: "Factors", paymentTermsType: "prepaid"),
            ],
            layouts: [
                SandboxLayout(number: 19, name: "DK. std. m. bankoplys. 1.5"),
                SandboxLayout(number: 20, name: "DK. std. m. girokort 1.5"),
                SandboxLayout(number: 21, name: "Eng. std. m. bankoplys. 1.5 07.01.14"),
            ],
            currencies: [
                SandboxCurrency(code: "DKK", isoNumber: "208", name: "Danish krone"),
                SandboxCurrency(code: "EUR", isoNumber: "978", name: "Euro"),
                SandboxCurrency(code: "USD", isoNumber: "840", name: "US dollar"),
                SandboxCurrency(code: "SEK", isoNumber: "752", name: "Swedish krona"),
                SandboxCurrency(code: "NOK", isoNumber: "578", name: "Norwegian krone"),
                SandboxCurrency(code: "GBP", isoNumber: "826", name: "Pound sterling"),
            ],
            customers: [
                SandboxCustomer(
                    customerNumber: 1, name: "Anna Jensen", layout: 19, address: "Nørrebrogade 12", zip: "2200",
                    city: "København N", country: "Danmark", email: "anna@example.com", mobilePhone: "+45 11 22 33 44",
                    lastUpdated: updated),
                SandboxCustomer(
                    customerNumber: 2, name: "Nordisk Design ApS", paymentTerms: 5, layout: 19, address: "Vestergade 3",
                    zip: "8000", city: "Aarhus C", country: "Danmark", email: "billing@nordiskdesign.example",
                    telephoneAndFaxNumber: "+45 86 12 34 56", website: "https://nordiskdesign.example",
                    corporateIdentificationNumber: "29403473", balance: 12_500, lastUpdated: updated),
                SandboxCustomer(
                    customerNumber: 3, name: "Hansen & Co", paymentTerms: 2, address: "Algade 7", zip: "4000",
                    city: "Roskilde", country: "Danmark", email: "finance@hansen.example ap@hansen.example",
                    corporateIdentificationNumber: "35812428", lastUpdated: updated),
                SandboxCustomer(
                    customerNumber: 4, name: "Erik Svensson", currency: "SEK", customerGroup: 2, vatZone: 2,
                    address: "Drottninggatan 5", zip: "111 51", city: "Stockholm", country: "Sweden",
                    email: "erik.svensson@example.se", lastUpdated: updated),
                SandboxCustomer(
                    customerNumber: 5, name: "Globex Inc.", currency: "USD", customerGroup: 2, paymentTerms: 5,
                    vatZone: 3, layout: 21, address: "1 Main Street", zip: "10001", city: "New York", country: "USA",
                    email: "ap@globex.example", telephoneAndFaxNumber: "+1 212 555 0100", lastUpdated: updated),
                SandboxCustomer(
                    customerNumber: 6, name: "Mette Kristensen", city: "Odense", country: "Danmark",
                    email: "mette@example.com", barred: true, balance: 1_875, lastUpdated: updated),
                SandboxCustomer(
                    customerNumber: 7, name: "Peter Holm", address: "Havnegade 1", zip: "6700", city: "Esbjerg",
                    country: "Danmark", telephoneAndFaxNumber: "+45 20 30 40 50", lastUpdated: updated),
                SandboxCustomer(
                    customerNumber: 8, name: "Jens Berg (Consulting)", zip: "5000", city: "Odense C", country: "Danmark",
                    email: "jens+invoices@example.com", lastUpdated: updated),
            ]
        )
    }
}
