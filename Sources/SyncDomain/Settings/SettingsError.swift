/// Why a ``TenantSettings`` value is invalid. Each description names the offending field or value.
public enum SettingsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The version is negative.
    case invalidVersion(Int)
    /// No match pairs: Accord could never find an existing e-conomic customer.
    case noMatchFields
    /// A source field key is neither a known field nor `metadata.<key>`.
    case unknownSourceField(String)
    /// An e-conomic field name Accord does not know.
    case unknownEconomicField(String)
    /// A metadata key breaks Stripe's limits (≤ 40 characters, no `[` or `]`).
    case invalidMetadataKey(key: String, reason: String)
    /// The same match pair appears twice.
    case duplicateMatchField(source: String, economic: String)
    /// e-conomic cannot search customers by this field, so it cannot be a match field.
    case notMatchable(economic: String)
    /// A mapping targets a field mappings may not write (the customer number belongs to numbering).
    case mappingToReadOnlyField(String)
    /// Two mappings target the same e-conomic field.
    case duplicateMappingTarget(String)
    /// A mapping lists no source fields.
    case mappingWithoutSources(economic: String)
    /// The default currency is not three upper-case letters (ISO 4217).
    case invalidCurrency(String)
    /// The home country is not an ISO alpha-2 code in the country table.
    case invalidCountry(String)
    /// A default reference (payment terms, group, VAT zone, layout) is not 1…999 999 999.
    case invalidReferenceNumber(field: String, value: Int)
    /// Numbering from a source field, but the field is empty.
    case numberingFieldMissing
    /// Numbering from a source field that is not a valid source field.
    case numberingFieldInvalid(field: String, reason: String)
    /// A conflict policy names an unknown or unmapped e-conomic field.
    case conflictPolicyForUnmappedField(String)
    /// `emptyOverwrites` names an unknown or unmapped e-conomic field.
    case emptyOverwritesUnmappedField(String)
    /// `emptyOverwrites` names a field e-conomic requires, which can never be cleared.
    case emptyOverwritesRequiredField(String)

    /// A message a user can act on.
    public var description: String {
        switch self {
        case .invalidVersion(let version):
            "Settings version \(version) is invalid; versions start at 0."
        case .noMatchFields:
            "Choose at least one match field (for example email ↔ email), otherwise existing e-conomic customers cannot be found."
        case .unknownSourceField(let field):
            "Unknown source field '\(field)'. Use one of \(SourceField.known.map(\.key).joined(separator: ", ")) or metadata.<key>."
        case .unknownEconomicField(let field):
            "Unknown e-conomic field '\(field)'. Use one of \(EconomicField.allCases.map(\.rawValue).joined(separator: ", "))."
        case .invalidMetadataKey(let key, let reason):
            "Invalid Stripe metadata key '\(key)': \(reason)."
        case .duplicateMatchField(let source, let economic):
            "The match field \(source) ↔ \(economic) is listed twice; remove one."
        case .notMatchable(let economic):
            "e-conomic cannot search customers by '\(economic)', so it cannot be a match field."
        case .mappingToReadOnlyField(let field):
            "'\(field)' cannot be the target of a field mapping; the customer number is set by the numbering setting."
        case .duplicateMappingTarget(let field):
            "Two field mappings write the e-conomic field '\(field)'; keep one (a mapping may list several sources)."
        case .mappingWithoutSources(let economic):
            "The mapping to '\(economic)' has no source fields."
        case .invalidCurrency(let currency):
            "Default currency '\(currency)' is not a three-letter ISO 4217 code in upper case (e.g. DKK, EUR)."
        case .invalidCountry(let country):
            "Home country '\(country)' is not a known ISO 3166 alpha-2 code (e.g. DK)."
        case .invalidReferenceNumber(let field, let value):
            "The default \(field) number \(value) is invalid; it must be between 1 and 999999999."
        case .numberingFieldMissing:
            "Customer numbers are taken from a source field, but no field is chosen."
        case .numberingFieldInvalid(let field, let reason):
            "Customer numbers cannot be taken from '\(field)': \(reason)."
        case .conflictPolicyForUnmappedField(let field):
            "A conflict policy is set for '\(field)', which is not a mapped e-conomic field."
        case .emptyOverwritesUnmappedField(let field):
            "'Empty overwrites' is set for '\(field)', which is not a mapped e-conomic field."
        case .emptyOverwritesRequiredField(let field):
            "'Empty overwrites' cannot be set for '\(field)': e-conomic requires it, so it can never be cleared."
        }
    }
}
