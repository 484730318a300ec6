/// A failed Stripe call: an error answer from the API, a transport failure, a timeout, an answer that could not
/// be read, or an argument refused before sending.
///
/// `description` says what to do and never contains the secret key (keys in Stripe's own messages are redacted).
public struct StripeAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed.
    public enum Kind: Sendable, Hashable {
        /// Stripe answered with a non-2xx status.
        case api
        /// The connection failed or broke (nothing or only part was received).
        case transport
        /// The call did not finish within the configured timeout.
        case timeout
        /// A 2xx answer that could not be decoded.
        case invalidResponse
        /// The call was refused before sending (e.g. a limit outside 1…100, a metadata key with brackets).
        case invalidArgument
    }

    /// What failed.
    public var kind: Kind
    /// The HTTP status, for ``Kind/api`` and ``Kind/invalidResponse``.
    public var status: Int?
    /// Stripe's `error.type` (`invalid_request_error`, `api_error`, `card_error`, `idempotency_error`).
    public var type: String?
    /// Stripe's `error.code` (e.g. `resource_missing`, `rate_limit`, `lock_timeout`).
    public var code: String?
    /// Stripe's `error.message`, or our own for other kinds (secrets redacted).
    public var message: String?
    /// Stripe's `error.param`: the parameter at fault.
    public var param: String?
    /// The `Stripe-Should-Retry` header, when sent.
    public var shouldRetry: Bool?
    /// The `Retry-After` header, when sent (seconds).
    public var retryAfter: Duration?
    /// The `Request-Id` header, for Stripe support.
    public var requestID: String?
    /// The call, e.g. `GET /v1/customers/cus_123`.
    public var request: String?

    /// Creates an error.
    public init(
        kind: Kind, status: Int? = nil, type: String? = nil, code: String? = nil, message: String? = nil, param: String? = nil,
        shouldRetry: Bool? = nil, retryAfter: Duration? = nil, requestID: String? = nil, request: String? = nil
    ) {
        self.kind = kind
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.shouldRetry = shouldRetry
        self.retryAfter = retryAfter
        self.requestID = requestID
        self.request = request
    }

    /// Whether trying the same call again may succeed: `Stripe-Should-Retry` when sent; otherwise 409, 429,
    /// 5xx, transport failures and timeouts. (A POST retried after a transport failure or timeout is safe only
    /// with the same `Idempotency-Key`.)
    public var isRetryable: Bool {
        if let shouldRetry { return shouldRetry }
        switch kind {
        case .transport, .timeout: return true
        case .api: return status.map { $0 == 409 || $0 == 429 || $0 >= 500 } ?? false
        case .invalidResponse, .invalidArgument: return false
        }
    }

    /// Whether the object does not exist: 404, or `code: resource_missing` (Stripe's code; localstripe sends
    /// a bare 404 without a code).
    public var isNotFound: Bool {
        kind == .api && (status == 404 || code == "resource_missing")
    }

    /// Whether the key was refused (401) or lacks permission (403).
    public var isAuthenticationFailure: Bool {
        kind == .api && (status == 401 || status == 403)
    }

    /// What happened and what to do about it.
    public var description: String {
        var text: String
        switch kind {
        case .api:
            let detail = [type, code].compactMap { $0 }.joined(separator: ", ")
            text = "Stripe answered \(status.map(String.init) ?? "?")" + (detail.isEmpty ? "" : " (\(detail))")
        case .transport: text = "could not reach Stripe"
        case .timeout: text = "Stripe did not answer in time"
        case .invalidResponse: text = "Stripe's answer could not be read" + (status.map { " (HTTP \($0))" } ?? "")
        case .invalidArgument: text = "refused before calling Stripe"
        }
        if let request { text += " on \(request)" }
        if let message, !message.isEmpty { text += ": \(message)" }
        if let param { text += " [parameter \(param)]" }
        if let hint { text += ". \(hint)" }
        if let requestID { text += " (request \(requestID))" }
        return StripeSecrets.redact(text)
    }

    private var hint: String? {
        switch kind {
        case .transport: return "Check the network and the API base URL; the call can be retried"
        case .timeout: return "Retry later; a write can be retried safely with the same Idempotency-Key"
        case .invalidResponse, .invalidArgument: return nil
        case .api:
            switch status {
            case 401: return "Check the Stripe secret key configured for this tenant"
            case 403: return "The key lacks permission for this call; use a key with access to customers"
            case 404: return "The object does not exist (or was deleted)"
            case 409: return "A conflicting request (often the same Idempotency-Key with other parameters); retry later"
            case 429:
                return "Rate limited by Stripe; retry" + (retryAfter.map { " after \($0.components.seconds) s" } ?? " with backoff")
            case .some(500...): return "Stripe had a problem; retry later"
            default: return shouldRetry == true ? "Retry later" : nil
            }
        }
    }
}
