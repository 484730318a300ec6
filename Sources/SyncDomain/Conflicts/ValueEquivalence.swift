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
        canonical(value, kind: field.spec.kind)
    }

    /// The canonical form of a value of a kind (what a field's canonical form depends on; a write request
    /// carries the kind, so a worker compares without knowing the mapping).
    /// - Parameters:
    ///   - value: The value, `nil` meaning absent.
    ///   - kind: How the value is compared.
    public static func canonical(_ value: String?, kind: FieldValueKind) -> String {
        guard let value, !FieldValues.isBlank(value) else { return "" }
        // Every kind starts from the same text form, so that a second pass sees what the first produced.
        let plain = text(value)
        switch kind {
        case .text:
            return plain
        case .email:
            return MatchNormalizer.emailAddresses(in: plain)
                .map { MatchNormalizer.normalize($0, as: .email) }
                .joined(separator: " ")
        case .phone:
            let phone = MatchNormalizer.normalize(plain, as: .phone)
            return phone.isEmpty ? plain : phone
        case .taxID:
            let id = MatchNormalizer.normalize(plain, as: .taxID)
            return id.isEmpty ? plain : id
        case .customerNumber, .reference:
            if plain.unicodeScalars.allSatisfy({ $0.value >= 48 && $0.value <= 57 }) {
                return MatchNormalizer.normalize(plain, as: .customerNumber)
            }
            return plain
        case .currency:
            return text(plain.uppercased())
        case .country:
            let lowered = text(plain.lowercased())
            return CountryTable.lookup(lowered)?.code ?? lowered
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
        // Most values are already in this form; telling so from the bytes skips the Unicode tables (canonical forms
        // were 15 % of the reactor's CPU in an initial sync, profiled).
        if isCanonicalASCII(value) { return value }
        return UnicodeText.split(value.precomposedStringWithCanonicalMapping, separator: UnicodeText.isNewline)
            .map { UnicodeText.collapseWhitespace($0) }
            .filter { !$0.isEmpty }
            .joined(separator: "\n")
            .precomposedStringWithCanonicalMapping
    }

    /// Whether a value is printable ASCII with single spaces between words and none at either end: then it is its own
    /// text form (no composition, no line breaks, no whitespace runs to collapse).
    static func isCanonicalASCII(_ value: String) -> Bool {
        var afterSpace = true  // a leading space is not canonical
        for byte in value.utf8 {
            guard byte >= 0x20, byte <= 0x7E else { return false }
            if byte == 0x20 {
                if afterSpace { return false }
                afterSpace = true
            } else {
                afterSpace = false
            }
        }
        return !afterSpace || value.isEmpty
    }
}
