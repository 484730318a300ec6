/// One entry of the ``CountryTable``.
public struct Country: Hashable, Sendable, Codable {
    /// ISO 3166-1 alpha-2 code, upper case (e.g. `DK`).
    public var code: String
    /// English short name (e.g. `Denmark`); what Accord writes to e-conomic's free-text `country`.
    public var englishName: String
    /// Other accepted spellings: Danish names for the Nordics and neighbours, common aliases.
    public var aliases: [String]
    /// Whether the country is an EU member state inside the EU VAT area (drives the VAT zone).
    public var isEUMember: Bool

    /// Creates a table entry.
    public init(code: String, englishName: String, aliases: [String] = [], isEUMember: Bool = false) {
        self.code = code
        self.englishName = englishName
        self.aliases = aliases
        self.isEUMember = isEUMember
    }
}
