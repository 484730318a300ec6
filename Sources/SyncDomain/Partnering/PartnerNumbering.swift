/// The customer number chosen when creating a partner.
public enum PartnerNumbering: Hashable, Sendable, Codable {
    /// e-conomic assigns the number. Towards a file, the file customer takes the e-conomic number.
    case economicAssigns
    /// Keep the same number as the customer the partner is created from: for a source customer the
    /// settings' numbering field when it is `.fromSource`, else its `customer_number`; for an
    /// e-conomic customer its customer number.
    case sameAsSource
    /// This number (1…999 999 999).
    case explicit(number: Int)
}
