/// Accord wants to create or update an e-conomic customer. Opens `outbound-<requestId>`.
public struct EconomicWriteRequested: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "EconomicWriteRequested"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The request.
    public var requestId: RequestID
    /// Create or update.
    public var kind: EconomicWriteKind
    /// The link the write serves, if any.
    public var linkId: LinkID?
    /// The source customer the write comes from, if any.
    public var source: CustomerRef?
    /// The full e-conomic field map to send (for an update: the merged map, as `PUT` replaces the customer).
    public var payload: [String: String]
    /// Keys to look the customer up by before retrying an ambiguous create (timeout, lost response).
    public var matchKeys: [MatchKey]
    /// Why.
    public var reason: WriteReason

    /// Creates the payload.
    public init(
        requestId: RequestID, kind: EconomicWriteKind, linkId: LinkID? = nil, source: CustomerRef? = nil, payload: [String: String],
        matchKeys: [MatchKey] = [], reason: WriteReason
    ) {
        self.requestId = requestId
        self.kind = kind
        self.linkId = linkId
        self.source = source
        self.payload = payload
        self.matchKeys = matchKeys
        self.reason = reason
    }

    private enum CodingKeys: String, CodingKey {
        case requestId, kind, linkId, source, payload, matchKeys, reason
    }

    /// Decodes; fields with defaults may be absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestId = try c.decode(RequestID.self, forKey: .requestId)
        kind = try c.decode(EconomicWriteKind.self, forKey: .kind)
        linkId = try c.decodeIfPresent(LinkID.self, forKey: .linkId)
        source = try c.decodeIfPresent(CustomerRef.self, forKey: .source)
        payload = try c.decode([String: String].self, forKey: .payload)
        matchKeys = try c.decodeIfPresent([MatchKey].self, forKey: .matchKeys) ?? []
        reason = try c.decode(WriteReason.self, forKey: .reason)
    }
}
