/// What a Stripe customer write does: an update (`POST /v1/customers/{id}`; an empty value unsets the field) or a
/// creation (`POST /v1/customers`).
public enum StripeWriteKind: Hashable, Sendable, Codable {
    /// Set metadata keys (keys without the `metadata.` prefix), e.g. the e-conomic customer number.
    case metadata([String: String])
    /// Change source-vocabulary fields (`name`, `address.city`, `metadata.<key>`, …), each with its base: the
    /// worker reads the customer and writes only the fields still at their base (``FieldPatch/plan(live:)``).
    case patch(FieldPatch)
    /// Create a customer with these source-vocabulary fields (`name`, `address.city`, `metadata.<key>`, …): the partner
    /// of an e-conomic customer. Its metadata carries ``StripeWriteKind/creationKey`` (the request id), by which a
    /// customer an unanswered attempt created is recognised — by the worker before sending again, and by the reactor
    /// when the customer's own `customer.created` arrives before the worker's answer is recorded.
    case create([String: String])

    /// The metadata key naming the request that created a Stripe customer.
    public static let creationKey = "accord_creation"

    private enum CodingKeys: String, CodingKey { case metadata, patch, create }

    /// Encodes as `{"metadata":{…}}`, `{"patch":{…}}` or `{"create":{…}}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .metadata(let values): try c.encode(values, forKey: .metadata)
        case .patch(let patch): try c.encode(patch, forKey: .patch)
        case .create(let fields): try c.encode(fields, forKey: .create)
        }
    }

    /// Decodes the forms written by ``encode(to:)`` (schema 1's `fields` is upcast by ``StripeWriteRequested``).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let values = try c.decodeIfPresent([String: String].self, forKey: .metadata) {
            self = .metadata(values)
        } else if let fields = try c.decodeIfPresent([String: String].self, forKey: .create) {
            self = .create(fields)
        } else {
            self = .patch(try c.decode(FieldPatch.self, forKey: .patch))
        }
    }

    /// Whether the write creates a customer.
    public var isCreate: Bool {
        if case .create = self { return true }
        return false
    }

    /// Field → value the write sends (empty: cleared); metadata keys as `metadata.<key>`.
    public var sentValues: [String: String] {
        switch self {
        case .metadata(let values): Dictionary(uniqueKeysWithValues: values.map { ("metadata." + $0.key, $0.value) })
        case .patch(let patch): patch.values
        case .create(let fields): fields
        }
    }
}
