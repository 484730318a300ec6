/// One tenant's synchronisation settings; changed only through ``SettingsDecider`` (each change is a
/// `SettingsChanged` event with ``version`` + 1).
public struct TenantSettings: Hashable, Sendable, Codable {
    /// Increases by one with every change; ``default`` is version 0.
    public var version: Int
    /// Match pairs, tried in order.
    public var matchFields: [MatchField]
    /// Who assigns customer numbers of new e-conomic customers.
    public var numbering: CustomerNumbering
    /// Defaults for new e-conomic customers.
    public var defaults: NewCustomerDefaults
    /// The tenant's own country (ISO alpha-2), for VAT zones by country.
    public var homeCountry: String
    /// Source → e-conomic field mappings.
    public var fieldMappings: [FieldMapping]
    /// What happens to source customers without a match.
    public var createPolicy: CreatePolicy
    /// Per e-conomic field: how a conflict is settled; missing fields use ``ConflictPolicy/ask``.
    public var conflictPolicies: [String: ConflictPolicy]
    /// e-conomic fields for which a value cleared on one side clears the other side too. For every
    /// other field an empty value never overwrites a filled one.
    public var emptyOverwrites: Set<String>
    /// Whether the customer number e-conomic assigned is written back (numbering's metadata key) to every Stripe
    /// customer that gets linked — matched or chosen by a person — and not only to the ones whose e-conomic partner
    /// Accord created. On by default; it has no effect without a write-back key.
    public var writeBackToLinked: Bool

    /// Creates settings.
    public init(
        version: Int = 0,
        matchFields: [MatchField],
        numbering: CustomerNumbering = .default,
        defaults: NewCustomerDefaults = .default,
        homeCountry: String = "DK",
        fieldMappings: [FieldMapping] = FieldMapping.defaults,
        createPolicy: CreatePolicy = .automatic,
        conflictPolicies: [String: ConflictPolicy] = [:],
        emptyOverwrites: Set<String> = [],
        writeBackToLinked: Bool = true
    ) {
        self.version = version
        self.matchFields = matchFields
        self.numbering = numbering
        self.defaults = defaults
        self.homeCountry = homeCountry
        self.fieldMappings = fieldMappings
        self.createPolicy = createPolicy
        self.conflictPolicies = conflictPolicies
        self.emptyOverwrites = emptyOverwrites
        self.writeBackToLinked = writeBackToLinked
    }

    /// Version 0: email ↔ email, e-conomic assigns numbers (no write-back), DKK, home country DK,
    /// group 1, payment terms 1, VAT zone by country 1/2/3, default mappings, automatic create,
    /// conflicts asked.
    public static let `default` = TenantSettings(matchFields: [MatchField(source: "email", economic: "email")])

    /// The conflict policy of an e-conomic field (``ConflictPolicy/ask`` unless set).
    /// - Parameter field: The e-conomic field.
    public func conflictPolicy(for field: EconomicField) -> ConflictPolicy {
        conflictPolicies[field.rawValue] ?? .ask
    }

    /// Whether an emptied value of `field` may clear the other side.
    /// - Parameter field: The e-conomic field.
    public func emptyOverwrites(_ field: EconomicField) -> Bool {
        emptyOverwrites.contains(field.rawValue)
    }

    /// The Stripe metadata key every linked Stripe customer carries its e-conomic number under (numbering's write-back
    /// key, when ``writeBackToLinked``); nil when linked customers get no number written back.
    public var linkedNumberWriteBackKey: String? {
        guard writeBackToLinked, case .economicAssigns(let key?) = numbering else { return nil }
        return key
    }

    /// The mapped e-conomic fields (valid mappings only), in mapping order.
    public var mappedEconomicFields: [EconomicField] {
        fieldMappings.compactMap { EconomicField(rawValue: $0.economic) }
    }

    /// The same settings with another version (to compare rules regardless of version).
    /// - Parameter version: The version to set.
    public func withVersion(_ version: Int) -> TenantSettings {
        var copy = self
        copy.version = version
        return copy
    }

    private enum CodingKeys: String, CodingKey {
        case version, matchFields, numbering, defaults, homeCountry, fieldMappings, createPolicy, conflictPolicies, emptyOverwrites
        case writeBackToLinked
    }

    /// Decodes; fields added after the first schema fall back to their defaults when absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        matchFields = try c.decode([MatchField].self, forKey: .matchFields)
        numbering = try c.decodeIfPresent(CustomerNumbering.self, forKey: .numbering) ?? .default
        defaults = try c.decodeIfPresent(NewCustomerDefaults.self, forKey: .defaults) ?? .default
        homeCountry = try c.decodeIfPresent(String.self, forKey: .homeCountry) ?? "DK"
        fieldMappings = try c.decodeIfPresent([FieldMapping].self, forKey: .fieldMappings) ?? FieldMapping.defaults
        createPolicy = try c.decodeIfPresent(CreatePolicy.self, forKey: .createPolicy) ?? .automatic
        conflictPolicies = try c.decodeIfPresent([String: ConflictPolicy].self, forKey: .conflictPolicies) ?? [:]
        emptyOverwrites = try c.decodeIfPresent(Set<String>.self, forKey: .emptyOverwrites) ?? []
        writeBackToLinked = try c.decodeIfPresent(Bool.self, forKey: .writeBackToLinked) ?? true
    }
}
