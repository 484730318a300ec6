/// What a Stripe customer write does (`POST /v1/customers/{id}`; an empty value unsets the field).
public enum StripeWriteKind: Hashable, Sendable, Codable {
    /// Set metadata keys (keys without the `metadata.` prefix), e.g. the e-conomic customer number.
    case metadata([String: String])
    /// Change source-vocabulary fields (`name`, `address.city`, `metadata.<key>`, …), each with its base: the
    /// worker reads the customer and writes only the fields still at their base (``FieldPatch/plan(live:)``).
    case patch(FieldPatch)

    private enum CodingKeys: String, CodingKey { case metadata, patch }

    /// Encodes as `{"metadata":{…}}` or `{"patch":{…}}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .metadata(let values): try c.encode(values, forKey: .metadata)
        case .patch(let patch): try c.encode(patch, forKey: .patch)
        }
    }

    /// Decodes the forms written by ``encode(to:)`` (schema 1's `fields` is upcast by ``StripeWriteRequested``).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let values = try c.decodeIfPresent([String: String].self, forKey: .metadata) {
            self = .metadata(values)
        } else {
            self = .patch(try c.decode(FieldPatch.self, forKey: .patch))
        }
    }

    /// Field → value the write sends (empty: cleared); metadata keys as `metadata.<key>`.
    public var sentValues: [String: String] {
        switch self {
        case .metadata(let values): Dictionary(uniqueKeysWithValues: values.map { ("metadata." + $0.key, $0.value) })
        case .patch(let patch): patch.values
        }
    }
}
