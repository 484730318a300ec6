/// A VAT zone (`/vat-zones`): 1 Domestic, 2 EU, 3 Abroad, 4 Domestic exempt in a Danish agreement.
public struct EconomicVatZone: Codable, Sendable, Hashable {
    /// `vatZoneNumber`.
    public var vatZoneNumber: Int
    /// Name, e.g. "EU".
    public var name: String
    /// Whether customers may use it.
    public var enabledForCustomer: Bool?
    /// Whether suppliers may use it.
    public var enabledForSupplier: Bool?
    /// URL.
    public var selfURL: String?

    enum CodingKeys: String, CodingKey {
        case vatZoneNumber, name, enabledForCustomer, enabledForSupplier
        case selfURL = "self"
    }
}

/// A customer group (`/customer-groups`).
public struct EconomicCustomerGroup: Codable, Sendable, Hashable {
    /// The group's debtor account.
    public struct Account: Codable, Sendable, Hashable {
        /// Account number, e.g. 5600.
        public var accountNumber: Int
        /// Account name.
        public var name: String?
    }

    /// `customerGroupNumber`.
    public var customerGroupNumber: Int
    /// Name.
    public var name: String
    /// Debtor account.
    public var account: Account?
    /// The group's default layout.
    public var layout: EconomicReference<EconomicReferenceKinds.Layout>?
    /// URL.
    public var selfURL: String?

    enum CodingKeys: String, CodingKey {
        case customerGroupNumber, name, account, layout
        case selfURL = "self"
    }
}

/// Payment terms (`/payment-terms`).
public struct EconomicPaymentTerms: Codable, Sendable, Hashable {
    /// `paymentTermsNumber`.
    public var paymentTermsNumber: Int
    /// Name, e.g. "Netto 8 dage".
    public var name: String
    /// Days of credit.
    public var daysOfCredit: Int?
    /// net, invoiceMonth, paidInCash, prepaid, dueDate, factoring, invoiceWeekStartingSunday, invoiceWeekStartingMonday, creditcard.
    public var paymentTermsType: String?
    /// Description.
    public var description: String?
    /// URL.
    public var selfURL: String?

    enum CodingKeys: String, CodingKey {
        case paymentTermsNumber, name, daysOfCredit, paymentTermsType, description
        case selfURL = "self"
    }
}

/// An invoice layout (`/layouts`). Deleted layouts are left out of the list.
public struct EconomicLayout: Codable, Sendable, Hashable {
    /// `layoutNumber`.
    public var layoutNumber: Int
    /// Name.
    public var name: String
    /// Whether deleted.
    public var deleted: Bool?
    /// URL.
    public var selfURL: String?

    enum CodingKeys: String, CodingKey {
        case layoutNumber, name, deleted
        case selfURL = "self"
    }
}

/// A currency (`/currencies`).
public struct EconomicCurrency: Codable, Sendable, Hashable {
    /// ISO 4217 code, e.g. "DKK".
    public var code: String
    /// ISO 4217 numeric code.
    public var isoNumber: String?
    /// Name.
    public var name: String?
    /// URL.
    public var selfURL: String?

    enum CodingKeys: String, CodingKey {
        case code, isoNumber, name
        case selfURL = "self"
    }
}

/// `GET /self`: the agreement the tokens grant access to.
public struct EconomicSelf: Codable, Sendable, Hashable {
    /// The agreement type.
    public struct AgreementType: Codable, Sendable, Hashable {
        /// Number.
        public var agreementTypeNumber: Int?
        /// Name, e.g. "denmark".
        public var name: String?
    }
    /// The agreement's company.
    public struct Company: Codable, Sendable, Hashable {
        /// Company name.
        public var name: String?
        /// Address line.
        public var addressLine1: String?
        /// Zip code.
        public var zip: String?
        /// City.
        public var city: String?
        /// CVR.
        public var companyIdentificationNumber: String?
        /// E-mail.
        public var email: String?
    }
    /// Agreement settings.
    public struct Settings: Codable, Sendable, Hashable {
        /// Base currency.
        public var baseCurrency: String?
    }

    /// Agreement number.
    public var agreementNumber: Int
    /// Agreement type.
    public var agreementType: AgreementType?
    /// Company.
    public var company: Company?
    /// Settings.
    public var settings: Settings?
    /// URL.
    public var selfURL: String?

    enum CodingKeys: String, CodingKey {
        case agreementNumber, agreementType, company, settings
        case selfURL = "self"
    }
}

/// `pagination` of a collection response. ``results`` is the total number of matches.
public struct EconomicPagination: Codable, Sendable, Hashable {
    /// 1000 in e-conomic.
    public var maxPageSizeAllowed: Int?
    /// 0-based page index.
    public var skipPages: Int
    /// Page size.
    public var pageSize: Int
    /// Total matches (not the page's size).
    public var results: Int
    /// Total without the filter.
    public var resultsWithoutFilter: Int?
    /// Link to the first page.
    public var firstPage: String?
    /// Link to the next page; only when there is one.
    public var nextPage: String?
    /// Link to the previous page; only when skipPages > 0.
    public var previousPage: String?
    /// Link to the last page.
    public var lastPage: String?
}

/// One page of a collection: `{collection, pagination, self}`.
public struct EconomicPage<Item: Decodable & Sendable>: Decodable, Sendable {
    /// The items on this page.
    public var items: [Item]
    /// Paging information.
    public var pagination: EconomicPagination
    /// The URL of this page.
    public var selfURL: String?

    enum CodingKeys: String, CodingKey {
        case items = "collection"
        case pagination
        case selfURL = "self"
    }

    /// Whether a later page exists.
    public var hasNextPage: Bool {
        pagination.nextPage != nil || (pagination.skipPages + 1) * pagination.pageSize < pagination.results
    }
}
