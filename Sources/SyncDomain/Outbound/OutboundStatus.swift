public import Foundation

/// Where an outbound request stands.
public enum OutboundStatus: Hashable, Sendable, Codable {
    /// No request recorded in the stream.
    case none
    /// Waiting for its first attempt, or for an attempt after a user's retry.
    case pending
    /// An attempt failed; the next one is due at `retryAt`.
    case retrying(retryAt: Date)
    /// Carried out.
    case succeeded
    /// Failed permanently or ran out of attempts; waits for a user's retry.
    case abandoned
    /// Never to be sent: the newer request `by` carries its changes forward.
    case superseded(by: RequestID)
}
