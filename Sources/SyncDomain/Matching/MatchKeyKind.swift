/// The kind of a match key; decides how values are normalised before lookup.
public enum MatchKeyKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Trimmed and lower-cased.
    case email
    /// ASCII digits only, a leading `+` kept.
    case phone
    /// CVR/VAT numbers: ASCII letters and digits only, upper-cased.
    case taxID
    /// Trimmed, internal whitespace collapsed, lower-cased, Unicode NFC; diacritics are significant.
    case name
    /// Digits only, leading zeros removed.
    case customerNumber
    /// Trimmed, lower-cased, Unicode NFC.
    case text
}
