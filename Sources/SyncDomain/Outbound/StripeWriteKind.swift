/// What a Stripe customer write does (`POST /v1/customers/{id}`; an empty value unsets the field).
public enum StripeWriteKind: Hashable, Sendable, Codable {
    /// Set metadata keys (keys without the `metadata.` prefix), e.g. the e-conomic customer number.
    case metadata([String: String])
    /// Set source-vocabulary fields (`name`, `address.city`, `metadata.<key>`, …).
    case fields([String: String])

    private enum CodingKeys: String, CodingKey { case metadata, fields }

    /// Encodes as `{"metadata":{…}}` or `{"fields":{…}}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .metadata(let values): try c.encode(values, forKey: .metadata)
        case .fields(let values): try c.encode(values, forKey: .fields)
        }
    }

    /// Decodes the forms written by ``encode(to:)``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let values = try c.decodeIfPresent([String: String].self, forKey: .metadata) {
            self = .metadata(values)
        } else {
            self = .fields(try c.decode([String: String].self, forKey: .fields))
        }
    }
}
