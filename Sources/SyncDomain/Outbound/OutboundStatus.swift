public import Foundation

/// Where an outbound request stands.
public enum OutboundStatus: Hashable, Sendable, Codable {
    /// No request recorded in the stream.
    case none
    /// Waiting for its first attempt, or for an attempt after a user's retry.
    case pending
    /// An attempt failed; the next one is due at `retryAt`.
    case retrying(retryAt: Date)
    /// The target asked to slow down (HTTP 429); the request is sent again from `until` on. Not a failure.
    case rateLimited(until: Date)
    /// Carried out.
    case succeeded
    /// Failed permanently or ran out of attempts; waits for a user's retry.
    case abandoned
    /// Never to be sent: the newer request `by` carries its changes forward.
    case superseded(by: RequestID)
}
