/// Accord will create the partner of a customer in the other system; reserves the customer (and number) until linked or cancelled. Lives in `partners`.
public struct PartnerCreationRequested: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "PartnerCreationRequested"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The outbound request doing the creation.
    public var requestId: RequestID
    /// The customer whose partner is created.
    public var from: CustomerRef
    /// The system the partner is created in.
    public var targetSystem: System
    /// How the partner's number is chosen.
    public var numbering: PartnerNumbering
    /// The chosen number, when not assigned by e-conomic.
    public var customerNumber: Int?
    /// The fields the partner is created with.
    public var payload: [String: String]
    /// The keys of the customer, so that a second customer with the same key is not matched to a second creation.
    public var matchKeys: [MatchKey]

    /// Creates the payload.
    public init(
        requestId: RequestID, from: CustomerRef, targetSystem: System, numbering: PartnerNumbering, customerNumber: Int? = nil,
        payload: [String: String], matchKeys: [MatchKey] = []
    ) {
        self.requestId = requestId
        self.from = from
        self.targetSystem = targetSystem
        self.numbering = numbering
        self.customerNumber = customerNumber
        self.payload = payload
        self.matchKeys = matchKeys
    }

    private enum CodingKeys: String, CodingKey {
        case requestId, from, targetSystem, numbering, customerNumber, payload, matchKeys
    }

    /// Decodes; fields with defaults may be absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestId = try c.decode(RequestID.self, forKey: .requestId)
        from = try c.decode(CustomerRef.self, forKey: .from)
        targetSystem = try c.decode(System.self, forKey: .targetSystem)
        numbering = try c.decode(PartnerNumbering.self, forKey: .numbering)
        customerNumber = try c.decodeIfPresent(Int.self, forKey: .customerNumber)
        payload = try c.decode([String: String].self, forKey: .payload)
        matchKeys = try c.decodeIfPresent([MatchKey].self, forKey: .matchKeys) ?? []
    }
}
