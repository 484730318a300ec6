import Foundation

/// A small country table: ISO 3166-1 alpha-2 codes, English names, Danish names for the Nordics
/// (and a few neighbours), common aliases, and EU membership.
///
/// Used to normalise `address.country` ("DK", "Denmark", "Danmark" → `DK`), to compare e-conomic's
/// free-text country with Stripe's ISO code, and to derive the VAT zone. Åland, the Faroe Islands
/// and Greenland are outside the EU VAT area and count as "abroad".
public enum CountryTable {
    /// All entries.
    public static let all: [Country] = [
        // EU member states
        Country(code: "AT", englishName: "Austria", aliases: ["Østrig", "Österreich"], isEUMember: true),
        Country(code: "BE", englishName: "Belgium", aliases: ["Belgien", "Belgique", "België"], isEUMember: true),
        Country(code: "BG", englishName: "Bulgaria", aliases: ["Bulgarien"], isEUMember: true),
        Country(code: "HR", englishName: "Croatia", aliases: ["Kroatien", "Hrvatska"], isEUMember: true),
        Country(code: "CY", englishName: "Cyprus", aliases: ["Cypern"], isEUMember: true),
        Country(code: "CZ", englishName: "Czechia", aliases: ["Czech Republic", "Tjekkiet"], isEUMember: true),
        Country(code: "DK", englishName: "Denmark", aliases: ["Danmark"], isEUMember: true),
        Country(code: "EE", englishName: "Estonia", aliases: ["Estland"], isEUMember: true),
        Country(code: "FI", englishName: "Finland", aliases: ["Suomi"], isEUMember: true),
        Country(code: "FR", englishName: "France", aliases: ["Frankrig"], isEUMember: true),
        Country(code: "DE", englishName: "Germany", aliases: ["Tyskland", "Deutschland"], isEUMember: true),
        Country(code: "GR", englishName: "Greece", aliases: ["Grækenland", "EL", "Hellas"], isEUMember: true),
        Country(code: "HU", englishName: "Hungary", aliases: ["Ungarn"], isEUMember: true),
        Country(code: "IE", englishName: "Ireland", aliases: ["Irland", "Éire"], isEUMember: true),
        Country(code: "IT", englishName: "Italy", aliases: ["Italien", "Italia"], isEUMember: true),
        Country(code: "LV", englishName: "Latvia", aliases: ["Letland"], isEUMember: true),
        Country(code: "LT", englishName: "Lithuania", aliases: ["Litauen"], isEUMember: true),
        Country(code: "LU", englishName: "Luxembourg", aliases: ["Luxemburg"], isEUMember: true),
        Country(code: "MT", englishName: "Malta", isEUMember: true),
        Country(code: "NL", englishName: "Netherlands", aliases: ["The Netherlands", "Holland", "Nederland", "Nederlandene"], isEUMember: true),
        Country(code: "PL", englishName: "Poland", aliases: ["Polen", "Polska"], isEUMember: true),
        Country(code: "PT", englishName: "Portugal", isEUMember: true),
        Country(code: "RO", englishName: "Romania", aliases: ["Rumænien"], isEUMember: true),
        Country(code: "SK", englishName: "Slovakia", aliases: ["Slovakiet"], isEUMember: true),
        Country(code: "SI", englishName: "Slovenia", aliases: ["Slovenien"], isEUMember: true),
        Country(code: "ES", englishName: "Spain", aliases: ["Spanien", "España"], isEUMember: true),
        Country(code: "SE", englishName: "Sweden", aliases: ["Sverige"], isEUMember: true),
        // Nordics outside the EU (VAT area)
        Country(code: "NO", englishName: "Norway", aliases: ["Norge", "Noreg"]),
        Country(code: "IS", englishName: "Iceland", aliases: ["Island", "Ísland"]),
        Country(code: "FO", englishName: "Faroe Islands", aliases: ["Færøerne", "Føroyar"]),
        Country(code: "GL", englishName: "Greenland", aliases: ["Grønland", "Kalaallit Nunaat"]),
        Country(code: "AX", englishName: "Åland Islands", aliases: ["Åland", "Aaland"]),
        // Rest of Europe
        Country(code: "GB", englishName: "United Kingdom", aliases: ["UK", "Great Britain", "Storbritannien", "England", "Scotland", "Wales"]),
        Country(code: "CH", englishName: "Switzerland", aliases: ["Schweiz", "Suisse", "Svizzera"]),
        Country(code: "LI", englishName: "Liechtenstein"),
        Country(code: "UA", englishName: "Ukraine"),
        Country(code: "RS", englishName: "Serbia", aliases: ["Serbien"]),
        Country(code: "TR", englishName: "Türkiye", aliases: ["Turkey", "Tyrkiet"]),
        Country(code: "AL", englishName: "Albania", aliases: ["Albanien"]),
        Country(code: "BA", englishName: "Bosnia and Herzegovina", aliases: ["Bosnien-Hercegovina"]),
        Country(code: "ME", englishName: "Montenegro"),
        Country(code: "MK", englishName: "North Macedonia", aliases: ["Nordmakedonien"]),
        Country(code: "MD", englishName: "Moldova"),
        Country(code: "AD", englishName: "Andorra"),
        Country(code: "MC", englishName: "Monaco"),
        Country(code: "SM", englishName: "San Marino"),
        Country(code: "GI", englishName: "Gibraltar"),
        // Americas
        Country(code: "US", englishName: "United States", aliases: ["USA", "United States of America", "U.S.A.", "U.S."]),
        Country(code: "CA", englishName: "Canada"),
        Country(code: "MX", englishName: "Mexico"),
        Country(code: "BR", englishName: "Brazil", aliases: ["Brasilien", "Brasil"]),
        Country(code: "AR", englishName: "Argentina"),
        Country(code: "CL", englishName: "Chile"),
        Country(code: "CO", englishName: "Colombia"),
        Country(code: "PE", englishName: "Peru"),
        // Asia and Oceania
        Country(code: "CN", englishName: "China", aliases: ["Kina"]),
        Country(code: "HK", englishName: "Hong Kong"),
        Country(code: "TW", englishName: "Taiwan"),
        Country(code: "JP", englishName: "Japan"),
        Country(code: "KR", englishName: "South Korea", aliases: ["Korea", "Republic of Korea", "Sydkorea"]),
        Country(code: "IN", englishName: "India", aliases: ["Indien"]),
        Country(code: "SG", englishName: "Singapore"),
        Country(code: "MY", englishName: "Malaysia"),
        Country(code: "TH", englishName: "Thailand"),
        Country(code: "VN", englishName: "Vietnam", aliases: ["Viet Nam"]),
        Country(code: "ID", englishName: "Indonesia", aliases: ["Indonesien"]),
        Country(code: "PH", englishName: "Philippines", aliases: ["Filippinerne"]),
        Country(code: "IL", englishName: "Israel"),
        Country(code: "AE", englishName: "United Arab Emirates", aliases: ["UAE", "De Forenede Arabiske Emirater"]),
        Country(code: "SA", englishName: "Saudi Arabia", aliases: ["Saudi-Arabien"]),
        Country(code: "QA", englishName: "Qatar"),
        Country(code: "AU", englishName: "Australia", aliases: ["Australien"]),
        Country(code: "NZ", englishName: "New Zealand", aliases: ["New Zealand", "Aotearoa"]),
        // Africa
        Country(code: "ZA", englishName: "South Africa", aliases: ["Sydafrika"]),
        Country(code: "EG", englishName: "Egypt", aliases: ["Egypten"]),
        Country(code: "MA", englishName: "Morocco", aliases: ["Marokko"]),
        Country(code: "NG", englishName: "Nigeria"),
        Country(code: "KE", englishName: "Kenya"),
    ]

    private static let index: [String: Country] = {
        var index: [String: Country] = [:]
        for country in all {
            for spelling in [country.code, country.englishName] + country.aliases {
                index[lookupKey(spelling)] = index[lookupKey(spelling)] ?? country
            }
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
