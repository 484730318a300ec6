/// A field of an e-conomic customer in Accord's flat vocabulary.
///
/// The e-conomic HTTP client converts between this flat map and e-conomic JSON (references such as
/// `customerGroup` travel as the number in decimal, e.g. `"1"`). See ``spec`` for the catalogue.
public enum EconomicField: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Integer 1…999 999 999; assigned by e-conomic when omitted on create.
    case customerNumber
    /// 1–255 characters, required.
    case name
    /// ISO 4217 code, exactly 3 characters, required.
    case currency
    /// Customer group number, required.
    case customerGroup
    /// Payment terms number, required.
    case paymentTerms
    /// VAT zone number, required.
    case vatZone
    /// Invoice layout number, optional.
    case layout
    /// Street address, ≤ 510 characters (lines separated by newlines).
    case address
    /// Postal code, ≤ 30.
    case zip
    /// City, ≤ 50.
    case city
    /// Country as free text, ≤ 50.
    case country
    /// E-mail, ≤ 255; may hold several space-separated addresses.
    case email
    /// Telephone and fax number, ≤ 255.
    case telephoneAndFaxNumber
    /// Mobile phone, ≤ 50.
    case mobilePhone
    /// Website, ≤ 255.
    case website
    /// Corporate identification number (the CVR in Denmark), ≤ 40.
    case corporateIdentificationNumber
    /// VAT number, ≤ 20 (only used by agreements in SE, UK, DE, PL, FI).
    case vatNumber
    /// EAN location number for public e-invoicing, ≤ 13.
    case ean
    /// Public entry number, ≤ 50.
    case publicEntryNumber

    /// Parses a field name.
    /// - Parameter key: The field name, e.g. `telephoneAndFaxNumber`.
    /// - Throws: ``FieldError/unknownEconomicField(_:)``.
    public init(parsing key: String) throws(FieldError) {
        guard let field = EconomicField(rawValue: key) else { throw .unknownEconomicField(key) }
        self = field
    }

    /// The field name.
    public var description: String { rawValue }

    /// The catalogue entry: limits, requirement, value kind, match-key kind.
    public var spec: EconomicFieldSpec {
        switch self {
        case .customerNumber:
            EconomicFieldSpec(
                kind: .customerNumber, maxLength: 9, requiredOnCreate: false, whenTooLong: .reject, isFilterable: true, isMappable: false)
        case .name:
            EconomicFieldSpec(kind: .text, maxLength: 255, requiredOnCreate: true, whenTooLong: .reject, isFilterable: true)
        case .currency:
            EconomicFieldSpec(kind: .currency, maxLength: 3, requiredOnCreate: true, whenTooLong: .reject, isFilterable: true)
        case .customerGroup, .paymentTerms, .vatZone:
            EconomicFieldSpec(kind: .reference, maxLength: 9, requiredOnCreate: true, whenTooLong: .reject, isFilterable: false)
        case .layout:
            EconomicFieldSpec(kind: .reference, maxLength: 9, requiredOnCreate: false, whenTooLong: .reject, isFilterable: false)
        case .address:
            EconomicFieldSpec(kind: .text, maxLength: 510, requiredOnCreate: false, whenTooLong: .truncate, isFilterable: true)
        case .zip:
            EconomicFieldSpec(kind: .text, maxLength: 30, requiredOnCreate: false, whenTooLong: .reject, isFilterable: true)
        case .city:
            EconomicFieldSpec(kind: .text, maxLength: 50, requiredOnCreate: false, whenTooLong: .truncate, isFilterable: true)
        case .country:
            EconomicFieldSpec(kind: .country, maxLength: 50, requiredOnCreate: false, whenTooLong: .truncate, isFilterable: true)
        case .email:
            EconomicFieldSpec(kind: .email, maxLength: 255, requiredOnCreate: false, whenTooLong: .reject, isFilterable: true)
        case .telephoneAndFaxNumber:
            EconomicFieldSpec(kind: .phone, maxLength: 255, requiredOnCreate: false, whenTooLong: .reject, isFilterable: true)
        case .mobilePhone:
            EconomicFieldSpec(kind: .phone, maxLength: 50, requiredOnCreate: false, whenTooLong: .reject, isFilterable: true)
        case .website:
            EconomicFieldSpec(kind: .text, maxLength: 255, requiredOnCreate: false, whenTooLong: .reject, isFilterable: true)
        case .corporateIdentificationNumber:
            EconomicFieldSpec(kind: .taxID, maxLength: 40, requiredOnCreate: false, whenTooLong: .reject, isFilterable: true)
        case .vatNumber:
            EconomicFieldSpec(kind: .taxID, maxLength: 20, requiredOnCreate: false, whenTooLong: .reject, isFilterable: true)
        case .ean:
            EconomicFieldSpec(kind: .taxID, maxLength: 13, requiredOnCreate: false, whenTooLong: .reject, isFilterable: true)
        case .publicEntryNumber:
            EconomicFieldSpec(kind: .text, maxLength: 50, requiredOnCreate: false, whenTooLong: .reject, isFilterable: true)
        }
    }

    /// The fields e-conomic requires on create and on every `PUT`.
    public static let requiredOnCreate: [EconomicField] = allCases.filter { $0.spec.requiredOnCreate }

    /// The kind of match key this field yields when used in a match pair.
    public var matchKeyKind: MatchKeyKind {
        switch self {
        case .email: .email
        case .telephoneAndFaxNumber, .mobilePhone: .phone
        case .corporateIdentificationNumber, .vatNumber: .taxID
        case .name: .name
        case .customerNumber: .customerNumber
        default: .text
        }
    }
}
