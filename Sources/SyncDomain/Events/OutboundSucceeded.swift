/// An outbound request was carried out. Lives in `outbound-<requestId>`.
///
/// Schema 2 adds ``targetMoved``: for an update, the fields not written because the target had moved since Accord
/// last looked (schema 1 has none, which is what it meant).
public struct OutboundSucceeded: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "OutboundSucceeded"
    /// The current schema version of the payload.
    public static let schemaVersion = 2

    /// The request.
    public var requestId: RequestID
    /// The e-conomic customer number (assigned on create).
    public var customerNumber: Int?
    /// The Stripe customer a Stripe create made (`cus_…`).
    public var stripeCustomerId: String?
    /// The values the target system now holds for the fields the request wrote or found already written, as it
    /// returned them (empty: the field is empty).
    public var written: [String: String]
    /// Fields an update did not write because someone had changed them on the target since Accord last looked:
    /// field → the value found there (and kept).
    public var targetMoved: [String: String]

    /// Creates the payload.
    public init(
        requestId: RequestID, customerNumber: Int? = nil, stripeCustomerId: String? = nil, written: [String: String] = [:],
        targetMoved: [String: String] = [:]
    ) {
        self.requestId = requestId
        self.customerNumber = customerNumber
        self.stripeCustomerId = stripeCustomerId
        self.written = written
        self.targetMoved = targetMoved
    }

    private enum CodingKeys: String, CodingKey {
        case requestId, customerNumber, stripeCustomerId, written, targetMoved
    }

    /// Encodes; `targetMoved` only when a field moved.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(requestId, forKey: .requestId)
        try c.encodeIfPresent(customerNumber, forKey: .customerNumber)
        try c.encodeIfPresent(stripeCustomerId, forKey: .stripeCustomerId)
        try c.encode(written, forKey: .written)
        if !targetMoved.isEmpty { try c.encode(targetMoved, forKey: .targetMoved) }
    }

    /// Decodes; fields with defaults may be absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestId = try c.decode(RequestID.self, forKey: .requestId)
        customerNumber = try c.decodeIfPresent(Int.self, forKey: .customerNumber)
        stripeCustomerId = try c.decodeIfPresent(String.self, forKey: .stripeCustomerId)
        written = try c.decodeIfPresent([String: String].self, forKey: .written) ?? [:]
        targetMoved = try c.decodeIfPresent([String: String].self, forKey: .targetMoved) ?? [:]
    }
}
