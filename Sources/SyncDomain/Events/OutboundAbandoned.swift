/// The request failed permanently or ran out of attempts; it waits for a user's retry. Lives in `outbound-<requestId>`.
public struct OutboundAbandoned: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "OutboundAbandoned"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The request.
    public var requestId: RequestID
    /// How many attempts were made.
    public var attempts: Int
    /// The last error.
    public var error: OutboundError

    /// Creates the payload.
    public init(requestId: RequestID, attempts: Int, error: OutboundError) {
        self.requestId = requestId
        self.attempts = attempts
        self.error = error
    }
}
