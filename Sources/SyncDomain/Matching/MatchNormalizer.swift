import Foundation

/// Normalises values into match-key form. Every function is idempotent:
/// `normalize(normalize(x, k), k) == normalize(x, k)`.
///
/// Decisions:
/// - **email**: trim, lower-case (the whole address, local part included: mailbox providers treat
///   it case-insensitively in practice, and Stripe's own list filter does not).
/// - **phone**: keep ASCII digits, and a `+` only when the trimmed value starts with one. `0045…`
///   and `+45…` stay different keys (no country-code guessing).
/// - **taxID**: upper-case, keep ASCII letters and digits (`dk 12 34-56 78` → `DK12345678`). A
///   country prefix is not stripped, so `12345678` and `DK12345678` are different keys.
/// - **name**: trim, collapse internal whitespace to one space, lower-case, Unicode NFC (so composed
///   and decomposed accents are equal). Diacritics stay significant: `Müller` ≠ `Muller`, because a
///   wrong automatic link is worse than a missed one (a missed match is visible; a wrong link
///   silently merges two customers).
/// - **customerNumber**: ASCII digits only, leading zeros removed (`"0"` stays `"0"`).
/// - **text**: trim, lower-case, Unicode NFC.
public enum MatchNormalizer {
    /// The normalised form of `value` for `kind`; empty when nothing meaningful remains.
    /// - Parameters:
    ///   - value: The raw value.
    ///   - kind: The key kind.
    public static func normalize(_ value: String, as kind: MatchKeyKind) -> String {
        switch kind {
        case .email:
            return UnicodeText.trim(value).lowercased()
        case .phone:
            let trimmed = UnicodeText.trim(value)
            let digits = String(trimmed.unicodeScalars.filter { $0.value >= 48 && $0.value <= 57 }.map(Character.init))
            guard !digits.isEmpty else { return "" }
            return trimmed.unicodeScalars.first == "+" ? "+" + digits : digits
        case .taxID:
            return String(
                value.uppercased().unicodeScalars
                    .filter { ($0.value >= 48 && $0.value <= 57) || ($0.value >= 65 && $0.value <= 90) }
                    .map(Character.init))
        case .name:
            return collapseWhitespace(value).lowercased().precomposedStringWithCanonicalMapping
        case .customerNumber:
            let digits = value.unicodeScalars.filter { $0.value >= 48 && $0.value <= 57 }.map(Character.init)
            guard !digits.isEmpty else { return "" }
            let stripped = String(digits.drop(while: { $0 == "0" }))
            return stripped.isEmpty ? "0" : stripped
        case .text:
            return UnicodeText.trim(value).lowercased().precomposedStringWithCanonicalMapping
        }
    }

    /// `value` trimmed with every run of whitespace (including newlines) replaced by one space.
    /// Works on Unicode scalars, so the result does not depend on grapheme boundaries.
    /// - Parameter value: The raw value.
    public static func collapseWhitespace(_ value: String) -> String {
        UnicodeText.collapseWhitespace(value)
    }

    /// Splits a value holding several e-mail addresses (separated by whitespace, `,` or `;`).
    /// - Parameter value: e.g. e-conomic's `"a@x.dk b@y.dk"`.
    public static func emailAddresses(in value: String) -> [String] {
        UnicodeText.split(value, separator: { UnicodeText.isWhitespace($0) || $0 == "," || $0 == ";" })
    }
}
