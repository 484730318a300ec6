import Foundation

/// Decides when two values of an e-conomic field mean the same, for change detection and conflicts.
///
/// This is *semantic equality*, weaker than match-key normalisation: case stays significant in names
/// and addresses (a user fixing "acme" to "Acme" is a change to carry over), while differences a
/// system introduces on its own are ignored: surrounding/repeated whitespace, line-ending style,
/// Unicode composition, e-mail case, phone and identifier punctuation, leading zeros in numbers,
/// currency case, and country spelling ("DK", "Denmark", "Danmark" are one country).
/// ``canonical(_:for:)`` is idempotent.
public enum ValueEquivalence {
    /// The canonical form of a value; two values are equivalent when their forms are equal.
    /// Blank values have the empty form.
    /// - Parameters:
    ///   - value: The value, `nil` meaning absent.
    ///   - field: The e-conomic field.
    public static func canonical(_ value: String?, for field: EconomicField) -> String {
        guard let value, !FieldValues.isBlank(value) else { return "" }
        switch field.spec.kind {
        case .text:
            return text(value)
        case .email:
            return MatchNormalizer.emailAddresses(in: value)
                .map { MatchNormalizer.normalize($0, as: .email) }
                .joined(separator: " ")
        case .phone:
            let phone = MatchNormalizer.normalize(value, as: .phone)
            return phone.isEmpty ? text(value) : phone
        case .taxID:
            let id = MatchNormalizer.normalize(value, as: .taxID)
            return id.isEmpty ? text(value) : id
        case .customerNumber, .reference:
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.unicodeScalars.allSatisfy({ $0.value >= 48 && $0.value <= 57 }) {
                return MatchNormalizer.normalize(trimmed, as: .customerNumber)
            }
            return text(value)
        case .currency:
            return text(value).uppercased()
        case .country:
            if let country = CountryTable.lookup(value) { return country.code }
            return text(value).lowercased()
        }
    }

    /// Whether two values of `field` are equivalent.
    /// - Parameters:
    ///   - lhs: One value (`nil` = absent).
    ///   - rhs: The other value.
    ///   - field: The e-conomic field.
    public static func areEquivalent(_ lhs: String?, _ rhs: String?, for field: EconomicField) -> Bool {
        canonical(lhs, for: field) == canonical(rhs, for: field)
    }

    /// Lines trimmed with inner whitespace runs collapsed, blank lines dropped, `\n` line ends, NFC.
    static func text(_ value: String) -> String {
        value.precomposedStringWithCanonicalMapping
            .split(whereSeparator: { $0.isNewline })
            .map { MatchNormalizer.collapseWhitespace(String($0)) }
            .filter { !$0.isEmpty }
            .joined(separator: "\n")
            .precomposedStringWithCanonicalMapping
    }
}
