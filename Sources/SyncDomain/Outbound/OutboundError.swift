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

    /// Creates an error.
    public init(httpStatus: Int? = nil, code: String? = nil, message: String, fieldErrors: [String: [String]] = [:], logId: String? = nil) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.fieldErrors = fieldErrors
        self.logId = logId
    }

    /// Whether retrying may help: network errors, 408, 409, 425, 429 and 5xx. Other 4xx are
    /// permanent until someone fixes the data or settings.
    public var isRetryable: Bool {
        guard let httpStatus else { return true }
        return [408, 409, 425, 429].contains(httpStatus) || (500...599).contains(httpStatus)
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
