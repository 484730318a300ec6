/// One match pair: a source field and the e-conomic field it must equal for two customers to be
/// the same (after normalisation by the e-conomic field's ``MatchKeyKind``).
public struct MatchField: Hashable, Sendable, Codable {
    /// The source field key, e.g. `email` or `metadata.customer_number`.
    public var source: String
    /// The e-conomic field name, e.g. `email` or `customerNumber`.
    public var economic: String
    /// Whether a source customer with this field empty is a visible error (`matchFieldMissing`)
    /// rather than a pair that is skipped.
    public var required: Bool

    /// Creates a match pair.
    /// - Parameters:
    ///   - source: The source field key.
    ///   - economic: The e-conomic field name.
    ///   - required: Whether an empty source value is an error; default `true`.
    public init(source: String, economic: String, required: Bool = true) {
        self.source = source
        self.economic = economic
        self.required = required
    }

    private enum CodingKeys: String, CodingKey { case source, economic, required }

    /// Decodes; `required` defaults to `true` when absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.decode(String.self, forKey: .source)
        economic = try c.decode(String.self, forKey: .economic)
        required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? true
    }
}
