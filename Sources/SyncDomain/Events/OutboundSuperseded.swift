/// A newer request of the same link and target carries this request's changes forward, so this one is never sent.
/// Lives in `outbound-<requestId>`; the worker records it just before it sends the newer request, while no worker
/// holds this one.
public struct OutboundSuperseded: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "OutboundSuperseded"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The request that is not sent.
    public var requestId: RequestID
    /// The newer request that carries its changes.
    public var by: RequestID

    /// Creates the payload.
    public init(requestId: RequestID, by: RequestID) {
        self.requestId = requestId
        self.by = by
    }
}
