public import Foundation

/// Where a queued request stands, as the `outbound_requests.status` column spells it.
public enum OutboundQueueStatus: String, Codable, Hashable, Sendable, CaseIterable {
    /// Waiting for its first attempt, or for an attempt after a person's retry.
    case pending
    /// An attempt failed; the next one is due at `next_attempt_at`.
    case failedWaiting = "failed_waiting"
    /// The target asked to slow down (HTTP 429): sent again from `next_attempt_at` on. Not a failure; it uses no
    /// attempt and never leads to abandonment.
    case rateLimited = "rate_limited"
    /// Carried out.
    case succeeded
    /// Failed permanently or ran out of attempts; waits for a person's retry (`OutboundRetryRequested`).
    case abandoned
    /// Never sent: a newer request of the same link and target carries its changes forward (`OutboundSuperseded`;
    /// the row's error code is ``supersededCode`` and its message names the newer request).
    case superseded

    /// Whether a worker may pick the request up (once `next_attempt_at` has passed).
    public var isOpen: Bool { self == .pending || self == .failedWaiting || self == .rateLimited }

    /// The error code a superseded row carries, beside a message naming the request that carries it forward.
    public static let supersededCode = "SUPERSEDED"
}

/// What a queued request does, as the `outbound_requests.kind` column spells it.
public enum OutboundRequestKind: String, Codable, Hashable, Sendable, CaseIterable {
    /// `POST /customers` on e-conomic.
    case economicCreate = "economic_create"
    /// Read, apply a field patch with bases, `PUT /customers/{n}` on e-conomic.
    case economicUpdate = "economic_update"
    /// Set metadata keys on a Stripe customer.
    case stripeMetadata = "stripe_metadata"
    /// Apply a field patch with bases to a Stripe customer.
    case stripeFields = "stripe_fields"
    /// Create a Stripe customer (an e-conomic customer's partner).
    case stripeCreate = "stripe_create"

    /// Whether the request goes to e-conomic (and counts against the tenant's e-conomic rate limit).
    public var isEconomic: Bool { self == .economicCreate || self == .economicUpdate }
}

/// A row of the `outbound_requests` read model: one outbound request, where it stands and why.
///
/// It is what people look at for "what failed and why" and what workers claim from. The error columns hold
/// what the outside system said (e-conomic's own message, error code, `logId`, HTTP status and field errors).
public struct OutboundRequestRow: Codable, Hashable, Sendable {
    /// The tenant.
    public var tenantID: String
    /// The request id (a UUID; its stream is `outbound-<id>`).
    public var requestID: String
    /// What it does.
    public var kind: OutboundRequestKind
    /// Where it stands.
    public var status: OutboundQueueStatus
    /// Failed attempts since the request or the last person's retry (what the retry policy counts).
    public var attempts: Int
    /// Every failed attempt, across retries.
    public var totalFailures: Int
    /// How many times a person asked to retry it.
    public var retries: Int
    /// How many times it waited for the target's rate limit (429s; these are not failures).
    public var rateLimitedWaits: Int = 0
    /// When a worker may attempt it next (`nil` once it succeeded or was abandoned).
    public var nextAttemptAt: Date?
    /// The e-conomic customer: the one to update, or the one created (once the create succeeded).
    public var customerNumber: Int?
    /// The Stripe customer to update, or the one created (once the create succeeded) (`cus_…`).
    public var stripeCustomerID: String?
    /// What to send: a create's e-conomic fields, an update's new values (empty: cleared), Stripe metadata keys or
    /// fields. The bases of an update are in its request event.
    public var payload: [String: String]
    /// The keys a lost create is looked up by (`email:…`, `taxID:…`).
    public var matchKeys: [String]
    /// The partner link the write serves, if any.
    public var linkID: String?
    /// The source customer the write comes from, if any (`stripe:cus_…`).
    public var source: String?
    /// Why it was requested (`autoCreate`, `conflictResolved`, …).
    public var reason: String
    /// The last error's message (for e-conomic: its own `message`, field errors below); for a superseded request,
    /// which request carries it forward.
    public var errorMessage: String?
    /// The last error's code (e-conomic `errorCode` such as `E04300`, Stripe `error.code`).
    public var errorCode: String?
    /// e-conomic's `logId` of the last error, for their support.
    public var errorLogID: String?
    /// The last error's HTTP status (`nil` for a network failure or timeout).
    public var errorHTTPStatus: Int?
    /// The last error's per-field messages (e-conomic `errors.<field>.errors[].errorMessage`).
    public var errorFields: [String: [String]]?
    /// What the target system held after the write succeeded.
    public var written: [String: String]?
    /// When the request was recorded.
    public var createdAt: Date
    /// When the last event about it was recorded.
    public var updatedAt: Date
    /// The global position of the last event about it.
    public var lastPosition: Int64

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", requestID = "request_id", kind, status, attempts, totalFailures = "total_failures", retries
        case rateLimitedWaits = "rate_limited_waits"
        case nextAttemptAt = "next_attempt_at", customerNumber = "customer_number", stripeCustomerID = "stripe_customer_id"
        case payload, matchKeys = "match_keys", linkID = "link_id", source, reason
        case errorMessage = "error_message", errorCode = "error_code", errorLogID = "error_log_id"
        case errorHTTPStatus = "error_http_status", errorFields = "error_fields", written
        case createdAt = "created_at", updatedAt = "updated_at", lastPosition = "last_position"
    }

    /// The row's key.
    public var key: OutboundRequestKey { OutboundRequestKey(tenantID: tenantID, requestID: requestID) }
}

/// The primary key of an `outbound_requests` row.
public struct OutboundRequestKey: Codable, Hashable, Sendable, Comparable {
    /// The tenant.
    public var tenantID: String
    /// The request id.
    public var requestID: String

    /// Makes a key.
    public init(tenantID: String, requestID: String) {
        self.tenantID = tenantID
        self.requestID = requestID
    }

    enum CodingKeys: String, CodingKey { case tenantID = "tenant_id", requestID = "request_id" }

    /// Orders like the table's primary key.
    public static func < (lhs: OutboundRequestKey, rhs: OutboundRequestKey) -> Bool {
        (lhs.tenantID, lhs.requestID) < (rhs.tenantID, rhs.requestID)
    }
}
