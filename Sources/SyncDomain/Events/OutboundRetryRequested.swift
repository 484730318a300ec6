/// A user asked to retry an abandoned request. Lives in `outbound-<requestId>`.
public struct OutboundRetryRequested: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "OutboundRetryRequested"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The request.
    public var requestId: RequestID

    /// Creates the payload.
    public init(requestId: RequestID) {
        self.requestId = requestId
    }
}
