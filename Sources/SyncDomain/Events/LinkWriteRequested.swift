/// Accord asked to write some of a link's fields to one side; until the outcome is known (``LinkWriteSettled``),
/// what that side reports for those fields is held rather than carried over. Lives in `partners`, next to the
/// write request it describes (which lives in `outbound-<requestId>`).
public struct LinkWriteRequested: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "LinkWriteRequested"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The link.
    public var linkId: LinkID
    /// The side written: `economic` (an update) or `source` (a Stripe field update).
    public var target: Side
    /// The write's request (and stream).
    public var requestId: RequestID
    /// The link's fields the write changes, in e-conomic's vocabulary (keys are e-conomic fields), with bases.
    public var fields: [String: FieldWrite]
    /// The patch as sent, in the target's vocabulary (equal to ``fields`` for e-conomic; Stripe keys for Stripe).
    public var sent: FieldPatch
    /// Earlier writes of the link to this side that this one carries forward.
    public var supersedes: [RequestID]

    /// Creates the payload.
    public init(linkId: LinkID, target: Side, requestId: RequestID, fields: [String: FieldWrite], sent: FieldPatch, supersedes: [RequestID] = []) {
        self.linkId = linkId
        self.target = target
        self.requestId = requestId
        self.fields = fields
        self.sent = sent
        self.supersedes = supersedes
    }

    /// The open write this records.
    public var write: LinkWrite {
        LinkWrite(requestId: requestId, fields: fields, sent: sent, supersedes: supersedes)
    }

    private enum CodingKeys: String, CodingKey { case linkId, target, requestId, fields, sent, supersedes }

    /// Decodes; `supersedes` may be absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        linkId = try c.decode(LinkID.self, forKey: .linkId)
        target = try c.decode(Side.self, forKey: .target)
        requestId = try c.decode(RequestID.self, forKey: .requestId)
        fields = try c.decode([String: FieldWrite].self, forKey: .fields)
        sent = try c.decode(FieldPatch.self, forKey: .sent)
        supersedes = try c.decodeIfPresent([RequestID].self, forKey: .supersedes) ?? []
    }
}
