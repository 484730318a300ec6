public import SyncDomain

extension TenantSettings {
    /// The demo's rules, which the sync benchmark measures too: match by e-mail; e-conomic assigns numbers and they
    /// are written back to the Stripe metadata key `writeBackKey`; home country Denmark; new customers get payment
    /// terms 1, customer group 1, layout 19, DKK and the VAT zone by country (1 domestic, 2 EU, 3 abroad, as in the
    /// sandbox's reference data); Stripe customers without a match are created automatically.
    public mutating func applyDemoRules(writeBackKey: String) {
        matchFields = [MatchField(source: "email", economic: "email")]
        numbering = .economicAssigns(writeBackMetadataKey: writeBackKey)
        homeCountry = "DK"
        defaults = NewCustomerDefaults(
            paymentTerms: 1, customerGroup: 1, vatZone: .byCountry(domestic: 1, eu: 2, abroad: 3), currency: "DKK", layout: 19)
        createPolicy = .automatic
    }
}
