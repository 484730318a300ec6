/// What went wrong with an outbound call, as reported by the worker.
public struct OutboundError: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The HTTP status, or `nil` for a network error or timeout.
    public var httpStatus: Int?
    /// The API's error code (e-conomic `errorCode`, e.g. `E04300`; Stripe `error.code`).
    public var code: String?
    /// The message to show (e-conomic `message`, Stripe `error.message`).
    public var message: String
    /// Per-field messages (e-conomic `errors.<field>.errors[].errorMessage`).
    public var fieldErrors: [String: [String]]
    /// e-conomic's `logId`, for support.
    public var logId: String?
    /// The e-conomic customer the failed call created, when its answer named it but could not be used (a `201`
    /// whose body could not be read): the next attempt checks this number first instead of searching.
    public var customerNumber: Int?
    /// Whether the write itself may have reached the target before this error: `true` for the write's own failure
    /// (no answer, a refusal, an unreadable answer), `false` for a failure before anything was sent (a lookup, missing
    /// credentials, a connection that never opened); `nil` when not recorded (failures from before this was kept).
    public var afterSending: Bool?

    /// Creates an error.
    public init(
        httpStatus: Int? = nil, code: String? = nil, message: String, fieldErrors: [String: [String]] = [:], logId: String? = nil,
        customerNumber: Int? = nil, afterSending: Bool? = nil
    ) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.fieldErrors = fieldErrors
        self.logId = logId
        self.customerNumber = customerNumber
        self.afterSending = afterSending
    }

    /// Whether retrying may help: network errors, 408, 409, 425, 429 and 5xx. Other 4xx are
    /// permanent until someone fixes the data or settings.
    public var isRetryable: Bool {
        guard let httpStatus else { return true }
        return [408, 409, 425, 429].contains(httpStatus) || (500...599).contains(httpStatus)
    }

    /// The code of a create abandoned because it may already exist in e-conomic and cannot be looked up safely; a
    /// person's retry of it means "I looked: send it" (see ``EconomicCreateProgress/clearedByPerson``).
    public static let cannotReconcileCode = "CANNOT_RECONCILE"

    /// A create that waits for a person because it cannot be reconciled safely; `message` says why and what to do.
    public static func cannotReconcile(_ message: String) -> OutboundError {
        OutboundError(code: cannotReconcileCode, message: message, afterSending: false)
    }

    /// Whether this abandons a create for a person to look first (``cannotReconcile(_:)``).
    public var isCannotReconcile: Bool { httpStatus == nil && code == Self.cannotReconcileCode }

    /// Whether the target system asked us to slow down (HTTP 429): back-pressure, not a failure of the request.
    /// It never uses an attempt and never abandons a request (``OutboundDecider``).
    public var isRateLimit: Bool { httpStatus == 429 }

    /// Whether a write that got this answer may still have taken effect: no answer at all (a timeout, a dropped
    /// connection, an unreadable response) or a 5xx, which a server may send after committing. Any other answer
    /// (2xx aside) is a refusal: nothing was changed.
    public var leavesOutcomeUnknown: Bool {
        guard let httpStatus else { return true }
        return httpStatus >= 500
    }

    /// The message with status, code, field errors and log id.
    public var description: String {
        var parts: [String] = []
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let code { parts.append(code) }
        var text = parts.isEmpty ? message : parts.joined(separator: " ") + ": " + message
        for field in fieldErrors.keys.sorted() {
            text += " \(field): \(fieldErrors[field]!.joined(separator: "; "))."
        }
        if let logId { text += " (logId \(logId))" }
        return text
    }
}
