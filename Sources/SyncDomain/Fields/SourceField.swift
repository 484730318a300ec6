/// A field in the source vocabulary shared by Stripe customers and file rows.
///
/// Known keys: `name, email, phone, description, address.line1, address.line2, address.postal_code,
/// address.city, address.state, address.country, tax_id, currency, customer_number`, plus
/// `metadata.<key>` for Stripe metadata (key ≤ 40 characters, without `[` or `]`).
public enum SourceField: Hashable, Sendable, Codable, CustomStringConvertible {
    /// `name`
    case name
    /// `email`
    case email
    /// `phone`
    case phone
    /// `description` (free text about the customer).
    case customerDescription
    /// `address.line1`
    case addressLine1
    /// `address.line2`
    case addressLine2
    /// `address.postal_code`
    case addressPostalCode
    /// `address.city`
    case addressCity
    /// `address.state`
    case addressState
    /// `address.country`
    case addressCountry
    /// `tax_id`
    case taxID
    /// `currency`
    case currency
    /// `customer_number`
    case customerNumber
    /// `metadata.<key>`: a Stripe metadata entry.
    case metadata(String)

    /// The fixed (non-metadata) fields, in catalogue order.
    public static let known: [SourceField] = [
        .name, .email, .phone, .customerDescription, .addressLine1, .addressLine2, .addressPostalCode,
        .addressCity, .addressState, .addressCountry, .taxID, .currency, .customerNumber,
    ]

    /// The prefix of metadata fields.
    public static let metadataPrefix = "metadata."

    /// Stripe's limit on metadata key length.
    public static let maxMetadataKeyLength = 40

    /// Stripe's limit on metadata value length.
    public static let maxMetadataValueLength = 500

    /// The key as it appears in field maps, e.g. `address.postal_code` or `metadata.crm_id`.
    public var key: String {
        switch self {
        case .name: "name"
        case .email: "email"
        case .phone: "phone"
        case .customerDescription: "description"
        case .addressLine1: "address.line1"
        case .addressLine2: "address.line2"
        case .addressPostalCode: "address.postal_code"
        case .addressCity: "address.city"
        case .addressState: "address.state"
        case .addressCountry: "address.country"
        case .taxID: "tax_id"
        case .currency: "currency"
        case .customerNumber: "customer_number"
        case .metadata(let key): Self.metadataPrefix + key
        }
    }

    /// The key, e.g. `address.city`.
    public var description: String { key }

    /// Parses and validates a field key.
    /// - Parameter key: A key such as `email` or `metadata.customer_number`.
    /// - Throws: ``FieldError/unknownSourceField(_:)`` or ``FieldError/invalidMetadataKey(key:reason:)``.
    public init(parsing key: String) throws(FieldError) {
        if let known = Self.known.first(where: { $0.key == key }) {
            self = known
            return
        }
        guard key.hasPrefix(Self.metadataPrefix) else { throw .unknownSourceField(key) }
        let metadataKey = String(key.dropFirst(Self.metadataPrefix.count))
        if let reason = Self.metadataKeyProblem(metadataKey) {
            throw .invalidMetadataKey(key: metadataKey, reason: reason)
        }
        self = .metadata(metadataKey)
    }

    /// Why `key` is not a valid Stripe metadata key, or `nil` when it is.
    /// - Parameter key: The metadata key without the `metadata.` prefix.
    public static func metadataKeyProblem(_ key: String) -> String? {
        if key.isEmpty { return "the key is empty" }
        if key.count > maxMetadataKeyLength {
            return "Stripe allows at most \(maxMetadataKeyLength) characters, this key has \(key.count)"
        }
        if key.contains("[") || key.contains("]") { return "Stripe does not allow '[' or ']' in metadata keys" }
        return nil
    }

    /// Whether Accord can write this field to a Stripe customer with a customer update. `tax_id`
    /// (a separate Stripe API), `currency` (set by Stripe on first billing) and `customer_number`
    /// (a file column) are not; values for them are recorded but not written back.
    public var isWritableInStripe: Bool {
        switch self {
        case .taxID, .currency, .customerNumber: false
        default: true
        }
    }

    /// Whether this is a `metadata.*` field.
    public var isMetadata: Bool {
        if case .metadata = self { return true }
        return false
    }

    /// Encodes as the key string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(key)
    }

    /// Decodes and validates a key string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let key = try container.decode(String.self)
        do {
            self = try SourceField(parsing: key)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }
}
