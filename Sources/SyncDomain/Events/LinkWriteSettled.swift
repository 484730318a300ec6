/// The outcome of a link's open write is known: what the target holds now for each field it named, and which it
/// did not write because the target had moved. Lives in `partners`; the bookkeeping and any conflict it leads to
/// follow as `LinkSynced` and `ConflictDetected`.
public struct LinkWriteSettled: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "LinkWriteSettled"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The link.
    public var linkId: LinkID
    /// The side that was written.
    public var target: Side
    /// The write's request.
    public var requestId: RequestID
    /// e-conomic field → the value the target holds now, in e-conomic's vocabulary (empty: empty).
    public var holds: [String: String]
    /// Fields left as the target had them because it had moved since Accord last looked.
    public var targetMoved: [String]

    /// Creates the payload.
    public init(linkId: LinkID, target: Side, requestId: RequestID, holds: [String: String] = [:], targetMoved: [String] = []) {
        self.linkId = linkId
        self.target = target
        self.requestId = requestId
        self.holds = holds
        self.targetMoved = targetMoved
    }
}
