public import Foundation

/// The target system asked Accord to slow down (HTTP 429): the request waits until `retryAt` and is sent again.
/// A wait is back-pressure, not a failure: it does not use one of the request's attempts and never abandons it.
/// Lives in `outbound-<requestId>`.
public struct OutboundRateLimited: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "OutboundRateLimited"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The request.
    public var requestId: RequestID
    /// How many times this request has waited for the rate limit, this wait included.
    public var waits: Int
    /// Failed attempts so far in this round, unchanged by the wait (shown next to it).
    public var failedAttempts: Int
    /// What the target said (e.g. e-conomic's or Stripe's 429 text).
    public var error: OutboundError
    /// When to send again: at least the server's Retry-After (millisecond precision).
    public var retryAt: Date

    /// Creates the payload.
    public init(requestId: RequestID, waits: Int, failedAttempts: Int = 0, error: OutboundError, retryAt: Date) {
        self.requestId = requestId
        self.waits = waits
        self.failedAttempts = failedAttempts
        self.error = error
        self.retryAt = retryAt
    }
}
