import SyncDomain

/// What a tenant's e-conomic agreement offers for the defaults of new customers, read through its connection: the
/// settings page lets a person choose from these instead of typing numbers.
public struct EconomicChoices: Sendable, Hashable {
    /// One entry of a list: the value saved in the settings and what a person reads.
    public struct Choice: Sendable, Hashable {
        /// The number (or currency code) as saved.
        public var value: String
        /// e.g. `1 — Netto 8 dage`.
        public var label: String
        /// False for an entry e-conomic would refuse as a customer's default (a VAT zone not enabled for customers).
        public var usable: Bool

        /// Makes a choice.
        public init(value: String, label: String, usable: Bool = true) {
            self.value = value
            self.label = label
            self.usable = usable
        }
    }

    /// Payment terms.
    public var paymentTerms: [Choice]
    /// Customer groups.
    public var customerGroups: [Choice]
    /// VAT zones.
    public var vatZones: [Choice]
    /// Currencies.
    public var currencies: [Choice]
    /// Invoice layouts that are not deleted.
    public var layouts: [Choice]

    /// Makes the lists.
    public init(paymentTerms: [Choice], customerGroups: [Choice], vatZones: [Choice], currencies: [Choice], layouts: [Choice]) {
        self.paymentTerms = paymentTerms
        self.customerGroups = customerGroups
        self.vatZones = vatZones
        self.currencies = currencies
        self.layouts = layouts
    }
}

/// Whether the settings page can offer e-conomic's lists.
public enum EconomicChoicesState: Sendable, Hashable {
    /// The tenant has no e-conomic connection (numbers are typed, and checked once it is connected).
    case notConnected
    /// The lists could not be read; the message says why.
    case unavailable(String)
    /// The lists.
    case loaded(EconomicChoices)
}
