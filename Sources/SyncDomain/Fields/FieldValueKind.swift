/// How the values of an e-conomic field are validated, compared and written.
public enum FieldValueKind: String, Hashable, Sendable, Codable {
    /// Free text (name, address, city, …).
    case text
    /// One or more e-mail addresses (e-conomic allows several, space-separated).
    case email
    /// A telephone number.
    case phone
    /// A company or VAT identifier (CVR, VAT number, EAN).
    case taxID
    /// The e-conomic customer number: an integer 1…999 999 999.
    case customerNumber
    /// A reference to an e-conomic entity by its number (customer group, payment terms, VAT zone,
    /// layout), carried as the number in decimal.
    case reference
    /// An ISO 4217 currency code, three letters.
    case currency
    /// A country, free text in e-conomic; normalised through ``CountryTable``.
    case country
}
