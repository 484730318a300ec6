public import Foundation

/// An attempt failed and will be retried at `retryAt`. Lives in `outbound-<requestId>`.
public struct OutboundFailed: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "OutboundFailed"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The request.
    public var requestId: RequestID
    /// Which attempt failed (1 = the first).
    public var attempt: Int
    /// What went wrong.
    public var error: OutboundError
    /// When to try again (millisecond precision).
    public var retryAt: Date

    /// Creates the payload.
    public init(requestId: RequestID, attempt: Int, error: OutboundError, retryAt: Date) {
        self.requestId = requestId
        self.attempt = attempt
        self.error = error
        self.retryAt = retryAt
    }
}
