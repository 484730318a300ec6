import Foundation

/// Accord's one country table: ISO 3166-1 alpha-2 codes, English names, Danish and other common names, a few
/// alpha-3 codes, and EU membership (the entries are in `CountryTable+Entries.swift`).
///
/// Used to normalise `address.country` ("DK", "Denmark", "Danmark" → `DK`), to compare e-conomic's
/// free-text country with Stripe's ISO code, and to derive the VAT zone. Åland, the Faroe Islands
/// and Greenland are outside the EU VAT area and count as "abroad".
public enum CountryTable {
    private static let index: [String: Country] = {
        var index: [String: Country] = [:]
        // Codes and English names first, so that an alias never shadows another country's own name.
        for country in all {
            for spelling in [country.code, country.englishName] { index[lookupKey(spelling)] = country }
        }
        for country in all {
            for alias in country.aliases { index[lookupKey(alias)] = index[lookupKey(alias)] ?? country }
        }
        return index
    }()

    /// The country a text names: an ISO alpha-2 code (any case), an English name, a Danish name for
    /// the Nordics, or an alias. Case, surrounding whitespace, dots and diacritics are ignored.
    /// - Parameter text: e.g. `"dk"`, `"Denmark"`, `" Danmark "`.
    /// - Returns: The entry, or `nil` when the text names no country in the table.
    public static func lookup(_ text: String) -> Country? {
        let key = lookupKey(text)
        guard !key.isEmpty else { return nil }
        return index[key]
    }

    /// The entry for an ISO alpha-2 code.
    /// - Parameter code: e.g. `DK` (case-insensitive).
    public static func country(code: String) -> Country? {
        let upper = code.uppercased()
        return all.first { $0.code == upper }
    }

    static func lookupKey(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        let words = folded.replacingOccurrences(of: ".", with: "").split(whereSeparator: { $0.isWhitespace })
        return words.joined(separator: " ").lowercased()
    }
}
