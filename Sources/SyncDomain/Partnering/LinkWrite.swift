/// A write Accord asked for on one side of a link and whose outcome it has not heard yet (see
/// ``LinkWriteRequested``). While it is open, that side's reports on its fields wait for the outcome, and a newer
/// change to the same side supersedes it, carrying its fields forward.
public struct LinkWrite: Hashable, Sendable, Codable {
    /// The request.
    public var requestId: RequestID
    /// The link's fields it changes, in e-conomic's vocabulary, with bases.
    public var fields: [String: FieldWrite]
    /// The patch as sent, in the target's vocabulary.
    public var sent: FieldPatch
    /// Earlier writes it carries forward (they are superseded before it is sent).
    public var supersedes: [RequestID]

    /// Creates an open write.
    public init(requestId: RequestID, fields: [String: FieldWrite], sent: FieldPatch, supersedes: [RequestID] = []) {
        self.requestId = requestId
        self.fields = fields
        self.sent = sent
        self.supersedes = supersedes
    }
}
