import SyncDomain

/// When Accord asked e-conomic to create a customer's partner, under which settings, with what — and why the
/// defaults came out as they did (the answer to "why did this customer get VAT zone 2 last March").
public struct CreationRecord: Hashable, Sendable, Codable {
    /// The global position of the `EconomicWriteRequested` that asked for the creation.
    public var position: Int64
    /// The version of the tenant's settings in force then.
    public var settingsVersion: Int
    /// The payload requested.
    public var payload: [String: String]
    /// One sentence per default chosen by a rule (VAT zone, payment terms, customer group, currency, layout).
    public var explanations: [String]

    /// Creates a record.
    public init(position: Int64, settingsVersion: Int, payload: [String: String], explanations: [String]) {
        self.position = position
        self.settingsVersion = settingsVersion
        self.payload = payload
        self.explanations = explanations
    }

    /// Explains a create payload's defaults from the source fields and settings it was made with: a value a mapping
    /// supplied is said to be mapped; a default names the rule that chose it.
    /// - Parameters:
    ///   - payload: The create payload.
    ///   - fields: The source customer's fields then.
    ///   - settings: The settings in force then.
    static func explain(_ payload: [String: String], fields: [String: String], settings: TenantSettings) -> [String] {
        let mapped = Set(settings.mappedEconomicFields.map(\.rawValue))
        let version = "settings version \(settings.version)"
        var lines: [String] = []
        for field in [EconomicField.vatZone, .paymentTerms, .customerGroup, .currency, .layout] {
            guard let value = payload[field.rawValue] else { continue }
            if mapped.contains(field.rawValue) {
                let sources = settings.fieldMappings.filter { $0.economic == field.rawValue }.flatMap(\.sources)
                lines.append("\(field.rawValue) \(value): mapped from \(sources.joined(separator: ", ")) (\(version))")
                continue
            }
            guard field == .vatZone else {
                lines.append("\(field.rawValue) \(value): the default for new customers (\(version))")
                continue
            }
            switch settings.defaults.vatZone {
            case .fixed(let zone):
                lines.append("vatZone \(value): the fixed VAT zone \(zone) (\(version))")
            case .byCountry(let domestic, let eu, let abroad):
                let country = CustomerMapper.countryCode(source: fields, mapped: payload)
                let why: String
                if let country {
                    if country.uppercased() == settings.homeCountry.uppercased() {
                        why = "country \(country) is the home country"
                    } else if CountryTable.country(code: country)?.isEUMember == true {
                        why = "country \(country) is in the EU, home country \(settings.homeCountry)"
                    } else {
                        why = "country \(country) is outside the EU, home country \(settings.homeCountry)"
                    }
                } else {
                    why = "no country, counted as domestic"
                }
                lines.append(
                    "vatZone \(value): \(why) (VAT zone by country: domestic \(domestic), EU \(eu), abroad \(abroad); \(version))")
            }
        }
        return lines
    }
}
