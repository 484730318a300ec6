public import HTTPTypes

/// An error answer: an HTTP status, a stable machine-readable code and a message a person can act on.
/// Rendered as `{"error":{"code":…,"message":…}}` by ``ErrorMiddleware`` (or as an HTML page on web routes).
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status.
    public var status: HTTPResponse.Status
    /// A stable code, e.g. `invalid_input`.
    public var code: String
    /// The message (never SQL, binds, secrets or stack traces).
    public var message: String
    /// When to try again, sent as `Retry-After` (whole seconds, at least 1): set on 429s.
    public var retryAfter: Duration?

    /// Makes an error.
    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    /// 400 `bad_request`.
    public static func badRequest(_ message: String, code: String = "bad_request") -> APIError { APIError(.badRequest, code: code, message: message) }
    /// 401 `unauthorized`.
    public static func unauthorized(_ message: String) -> APIError { APIError(.unauthorized, code: "unauthorized", message: message) }
    /// 404 `not_found`.
    public static func notFound(_ message: String, code: String = "not_found") -> APIError { APIError(.notFound, code: code, message: message) }
    /// 409 `conflict`.
    public static func conflict(_ message: String, code: String = "conflict") -> APIError { APIError(.conflict, code: code, message: message) }
    /// 413 `payload_too_large`.
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "payload_too_large", message: "the request body is larger than the limit of \(limit) bytes")
    }
    /// 429 `rate_limited`, with the wait until a request is allowed again.
    public static func tooManyRequests(_ message: String, retryAfter: Duration) -> APIError {
        var error = APIError(.tooManyRequests, code: "rate_limited", message: message)
        error.retryAfter = retryAfter
        return error
    }
    /// 422 `invalid_input`.
    public static func invalidInput(_ message: String) -> APIError { APIError(.unprocessableContent, code: "invalid_input", message: message) }
}
