/// Values every new e-conomic customer gets (e-conomic requires the references on create).
public struct NewCustomerDefaults: Hashable, Sendable, Codable {
    /// Payment terms number.
    public var paymentTerms: Int
    /// Customer group number.
    public var customerGroup: Int
    /// How the VAT zone is chosen.
    public var vatZone: VatZoneRule
    /// ISO 4217 currency code, used unless a mapping provides the currency.
    public var currency: String
    /// Invoice layout number, or `nil` for e-conomic's default.
    public var layout: Int?

    /// Creates defaults.
    public init(paymentTerms: Int, customerGroup: Int, vatZone: VatZoneRule, currency: String, layout: Int? = nil) {
        self.paymentTerms = paymentTerms
        self.customerGroup = customerGroup
        self.vatZone = vatZone
        self.currency = currency
        self.layout = layout
    }

    /// Payment terms 1, group 1, VAT zone by country (1 domestic, 2 EU, 3 abroad), DKK, no layout.
    public static let `default` = NewCustomerDefaults(
        paymentTerms: 1, customerGroup: 1, vatZone: .byCountry(domestic: 1, eu: 2, abroad: 3), currency: "DKK")
}
