/// A VAT zone of the agreement (`/vat-zones`).
public struct SandboxVatZone: Codable, Sendable, Equatable {
    /// `vatZoneNumber`.
    public var number: Int
    /// Display name, e.g. "Domestic".
    public var name: String
    /// Whether customers may use the zone.
    public var enabledForCustomer: Bool
    /// Whether suppliers may use the zone.
    public var enabledForSupplier: Bool

    /// Creates a VAT zone.
    public init(number: Int, name: String, enabledForCustomer: Bool = true, enabledForSupplier: Bool = true) {
        self.number = number
        self.name = name
        self.enabledForCustomer = enabledForCustomer
        self.enabledForSupplier = enabledForSupplier
    }
}

/// A customer group (`/customer-groups`), with the debtor account it posts to.
public struct SandboxCustomerGroup: Codable, Sendable, Equatable {
    /// `customerGroupNumber`.
    public var number: Int
    /// Display name.
    public var name: String
    /// The account number (e.g. 5600 "Debitorer").
    public var accountNumber: Int
    /// The account's name.
    public var accountName: String
    /// The group's default layout, if any.
    public var layoutNumber: Int?

    /// Creates a customer group.
    public init(number: Int, name: String, accountNumber: Int = 5600, accountName: String = "Debitorer", layoutNumber: Int? = nil) {
        self.number = number
        self.name = name
        self.accountNumber = accountNumber
        self.accountName = accountName
        self.layoutNumber = layoutNumber
    }
}

/// Payment terms (`/payment-terms`).
public struct SandboxPaymentTerms: Codable, Sendable, Equatable {
    /// `paymentTermsNumber`.
    public var number: Int
    /// Display name, e.g. "Netto 8 dage".
    public var name: String
    /// Days of credit, when the type uses them.
    public var daysOfCredit: Int?
    /// One of e-conomic's types: net, invoiceMonth, paidInCash, prepaid, dueDate, factoring, ...
    public var paymentTermsType: String

    /// Creates payment terms.
    public init(number: Int, name: String, daysOfCredit: Int? = nil, paymentTermsType: String = "net") {
        self.number = number
        self.name = name
        self.daysOfCredit = daysOfCredit
        self.paymentTermsType = paymentTermsType
    }
}

/// An invoice layout (`/layouts`). Deleted layouts are left out of the list but can still be referenced.
public struct SandboxLayout: Codable, Sendable, Equatable {
    /// `layoutNumber`.
    public var number: Int
    /// Display name.
    public var name: String
    /// Whether the layout is deleted.
    public var deleted: Bool

    /// Creates a layout.
    public init(number: Int, name: String, deleted: Bool = false) {
        self.number = number
        self.name = name
        self.deleted = deleted
    }
}

/// A currency (`/currencies`), addressed by its ISO 4217 code.
public struct SandboxCurrency: Codable, Sendable, Equatable {
    /// ISO 4217 code, e.g. "DKK".
    public var code: String
    /// ISO 4217 numeric code, e.g. "208".
    public var isoNumber: String
    /// Display name.
    public var name: String

    /// Creates a currency.
    public init(code: String, isoNumber: String, name: String) {
        self.code = code
        self.isoNumber = isoNumber
        self.name = name
    }
}

/// What `GET /self` tells about the agreement and its company.
public struct SandboxAgreement: Codable, Sendable, Equatable {
    /// The agreement number.
    public var agreementNumber: Int
    /// Agreement type name, e.g. "denmark".
    public var agreementType: String
    /// Company name.
    public var companyName: String
    /// Company address line.
    public var addressLine1: String
    /// Company zip code.
    public var zip: String
    /// Company city.
    public var city: String
    /// Company CVR number.
    public var companyIdentificationNumber: String
    /// Company e-mail.
    public var email: String
    /// The agreement's base currency.
    public var baseCurrency: String

    /// Creates an agreement description.
    public init(
        agreementNumber: Int,
        agreementType: String,
        companyName: String,
        addressLine1: String,
        zip: String,
        city: String,
        companyIdentificationNumber: String,
        email: String,
        baseCurrency: String
    ) {
        self.agreementNumber = agreementNumber
        self.agreementType = agreementType
        self.companyName = companyName
        self.addressLine1 = addressLine1
        self.zip = zip
        self.city = city
        self.companyIdentificationNumber = companyIdentificationNumber
        self.email = email
        self.baseCurrency = baseCurrency
    }
}
