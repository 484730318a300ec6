public import Foundation

/// Commands on one outbound request stream. Time and randomness come in with the command.
public enum OutboundCommand: Hashable, Sendable {
    /// Record the request (idempotent for the identical request).
    case request(OutboundRequest)
    /// The worker carried the request out; `targetMoved` names the fields of an update it left alone because the
    /// target had moved (field → the value found); `stripeCustomerId` is the customer a Stripe create made.
    case recordSuccess(
        RequestID, customerNumber: Int?, stripeCustomerId: String? = nil, written: [String: String], targetMoved: [String: String] = [:])
    /// A create (e-conomic, or Stripe) is about to be sent (see ``EconomicCreateStarted``).
    /// - `existing`: on the first send, the customers that matched the request's identity just before.
    case startCreate(RequestID, existing: [Int]?)
    /// An attempt failed (a 429 is recorded as a wait for the rate limit, not as a failure).
    /// - `retryAfter`: the server's Retry-After in seconds, if any.
    /// - `now`: when the attempt failed.
    /// - `jitter`: a random number in `0..<1` for the backoff.
    case recordFailure(RequestID, error: OutboundError, retryAfter: Double?, now: Date, jitter: Double)
    /// A user asks to retry an abandoned request.
    case retry(RequestID)
    /// A newer request of the same link and target carries this one forward: it must never be sent (the worker
    /// records it just before sending the newer one).
    case supersede(RequestID, by: RequestID)
}
