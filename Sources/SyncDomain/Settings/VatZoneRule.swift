/// How the VAT zone of a new e-conomic customer is chosen.
public enum VatZoneRule: Hashable, Sendable, Codable {
    /// Always this VAT zone number.
    case fixed(zone: Int)
    /// By the customer's country: `domestic` when it equals the tenant's home country or is missing,
    /// `eu` for another EU member state, `abroad` for everything else (see
    /// ``zone(forCountry:homeCountry:)``).
    case byCountry(domestic: Int, eu: Int, abroad: Int)

    /// The VAT zone number for a customer.
    ///
    /// - Parameters:
    ///   - country: The customer's country as ISO alpha-2 code, or `nil` when missing.
    ///   - homeCountry: The tenant's country (ISO alpha-2).
    /// - Returns: The zone. A missing country counts as domestic; a country the ``CountryTable``
    ///   does not know counts as abroad.
    public func zone(forCountry country: String?, homeCountry: String) -> Int {
        switch self {
        case .fixed(let zone):
            return zone
        case .byCountry(let domestic, let eu, let abroad):
            guard let country else { return domestic }
            if country.uppercased() == homeCountry.uppercased() { return domestic }
            if CountryTable.country(code: country)?.isEUMember == true { return eu }
            return abroad
        }
    }

    /// The zone numbers the rule refers to (for validation).
    public var referencedZones: [Int] {
        switch self {
        case .fixed(let zone): [zone]
        case .byCountry(let domestic, let eu, let abroad): [domestic, eu, abroad]
        }
    }
}
