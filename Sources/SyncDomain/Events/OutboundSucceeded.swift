/// An outbound request was carried out. Lives in `outbound-<requestId>`.
public struct OutboundSucceeded: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "OutboundSucceeded"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The request.
    public var requestId: RequestID
    /// The e-conomic customer number (assigned on create).
    public var customerNumber: Int?
    /// The values the target system now holds, as it returned them.
    public var written: [String: String]

    /// Creates the payload.
    public init(requestId: RequestID, customerNumber: Int? = nil, written: [String: String] = [:]) {
        self.requestId = requestId
        self.customerNumber = customerNumber
        self.written = written
    }

    private enum CodingKeys: String, CodingKey {
        case requestId, customerNumber, written
    }

    /// Decodes; fields with defaults may be absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestId = try c.decode(RequestID.self, forKey: .requestId)
        customerNumber = try c.decodeIfPresent(Int.self, forKey: .customerNumber)
        written = try c.decodeIfPresent([String: String].self, forKey: .written) ?? [:]
    }
}
