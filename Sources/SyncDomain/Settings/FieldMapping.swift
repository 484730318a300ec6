/// Maps one or more source fields to one e-conomic field.
///
/// With several sources the non-empty values are joined with ``separator`` (a newline by default:
/// `address.line1` + `address.line2` → `address`). Writing back to the source splits on the
/// separator: the first parts go to the first sources, the rest to the last one.
public struct FieldMapping: Hashable, Sendable, Codable {
    /// Source field keys, in order.
    public var sources: [String]
    /// The e-conomic field name.
    public var economic: String
    /// The joiner for several sources.
    public var separator: String

    /// Creates a mapping.
    /// - Parameters:
    ///   - sources: Source field keys, in order.
    ///   - economic: The e-conomic field name.
    ///   - separator: The joiner for several sources; a newline by default.
    public init(sources: [String], economic: String, separator: String = "\n") {
        self.sources = sources
        self.economic = economic
        self.separator = separator
    }

    /// A one-to-one mapping.
    /// - Parameters:
    ///   - source: The source field key.
    ///   - economic: The e-conomic field name.
    public init(_ source: String, to economic: String) {
        self.init(sources: [source], economic: economic)
    }

    private enum CodingKeys: String, CodingKey { case sources, economic, separator }

    /// Decodes; `separator` defaults to a newline when absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sources = try c.decode([String].self, forKey: .sources)
        economic = try c.decode(String.self, forKey: .economic)
        separator = try c.decodeIfPresent(String.self, forKey: .separator) ?? "\n"
    }

    /// The pre-mapped defaults: name, email, phone→telephoneAndFaxNumber, address lines→address,
    /// postal code→zip, city, country, tax_id→corporateIdentificationNumber.
    public static let defaults: [FieldMapping] = [
        FieldMapping("name", to: "name"),
        FieldMapping("email", to: "email"),
        FieldMapping("phone", to: "telephoneAndFaxNumber"),
        FieldMapping(sources: ["address.line1", "address.line2"], economic: "address"),
        FieldMapping("address.postal_code", to: "zip"),
        FieldMapping("address.city", to: "city"),
        FieldMapping("address.country", to: "country"),
        FieldMapping("tax_id", to: "corporateIdentificationNumber"),
    ]
}
