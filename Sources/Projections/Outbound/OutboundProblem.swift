public import Foundation
public import SyncDomain

/// An outbound request whose latest outcome is a failure (retrying), an abandonment (retried only by command) or a
/// wait for the target's rate limit, as the API and the outbound page list it.
public struct OutboundProblem: Codable, Sendable, Hashable {
    /// The request.
    public var requestID: String
    /// `failed` (will be retried), `abandoned` (retried only by command) or `rateLimited` (waiting because the
    /// target asked to slow down: not a failure, sent again at `retryAt`).
    public var state: String
    /// What was asked (`EconomicWriteRequested` or `StripeWriteRequested`).
    public var requestType: String
    /// The customer concerned, when the request names one.
    public var customer: String?
    /// Attempts made.
    public var attempts: Int
    /// The error, as the outside system stated it.
    public var error: String
    /// When the next automatic attempt is due (failed only).
    public var retryAt: Date?
    /// When the outcome was recorded.
    public var at: Date
    /// How many times the request has waited for the rate limit (`rateLimited` only).
    public var rateLimitedWaits: Int?

    enum CodingKeys: String, CodingKey {
        case requestID = "requestId", state, requestType, customer, attempts, error, retryAt, at, rateLimitedWaits
    }

    /// Whether this is a failure (`failed` or `abandoned`), as counted on the overview; a wait for the rate limit is not.
    public var isFailure: Bool { state != "rateLimited" }

    /// The problem an outbound stream shows, from its first event (the request) and its last (the outcome,
    /// recorded `at`); nil when the last outcome is not a failure. Shared by the SQL query and in-memory readers.
    public init?(request: SyncEvent, outcome: SyncEvent, at: Date) {
        var customer: String?
        switch request {
        case .economicWriteRequested(let write): customer = write.source?.description
        case .stripeWriteRequested(let write):
            // A create names the customer it is the partner of; the Stripe customer does not exist yet.
            customer = write.customerId.isEmpty ? write.source?.description : CustomerRef.stripe(write.customerId).description
        default: break
        }
        switch outcome {
        case .outboundFailed(let failed):
            self.init(
                requestID: failed.requestId.description, state: "failed", requestType: request.typeName, customer: customer,
                attempts: failed.attempt, error: failed.error.description, retryAt: failed.retryAt, at: at)
        case .outboundAbandoned(let abandoned):
            self.init(
                requestID: abandoned.requestId.description, state: "abandoned", requestType: request.typeName, customer: customer,
                attempts: abandoned.attempts, error: abandoned.error.description, retryAt: nil, at: at)
        case .outboundRateLimited(let limited):
            self.init(
                requestID: limited.requestId.description, state: "rateLimited", requestType: request.typeName, customer: customer,
                attempts: limited.failedAttempts, error: limited.error.description, retryAt: limited.retryAt, at: at)
            rateLimitedWaits = limited.waits
        default:
            return nil
        }
    }

    init(
        requestID: String, state: String, requestType: String, customer: String?, attempts: Int, error: String, retryAt: Date?, at: Date,
        rateLimitedWaits: Int? = nil
    ) {
        self.requestID = requestID
        self.state = state
        self.requestType = requestType
        self.customer = customer
        self.attempts = attempts
        self.error = error
        self.retryAt = retryAt
        self.at = at
        self.rateLimitedWaits = rateLimitedWaits
    }
}
