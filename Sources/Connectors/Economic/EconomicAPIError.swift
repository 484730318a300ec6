public import Foundation

/// A failed call to e-conomic, with what e-conomic said and whether to retry.
///
/// ``description`` is written for the person who must fix the cause, e.g.
/// `e-conomic rejected the customer: paymentTerms: PaymentTerms '4711' not found. (E04300, logId 86d2a1f150c392bb-CPH)`.
/// It never contains the tokens.
public struct EconomicAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: Sendable, Hashable {
        /// 401: the tokens are missing, wrong or revoked.
        case unauthorized
        /// 403: the app's role lacks access.
        case forbidden
        /// 404.
        case notFound
        /// 400 with field errors (`E04300`).
        case validationFailed
        /// Any other 4xx (a bad filter, 405, 415, ...), or an argument the client refuses before sending.
        case badRequest
        /// 429; `retryAfter` is the `Retry-After` header in seconds, if sent.
        case rateLimited(retryAfter: Int?)
        /// 5xx.
        case serverError
        /// No complete answer within the configured timeout.
        case timeout
        /// The connection failed or was closed without a complete response.
        case transport
        /// A response that could not be read (unexpected JSON, too large).
        case invalidResponse
    }

    /// One problem with one property: `errors.<field>.errors[]` of a validation body, flattened.
    public struct FieldError: Sendable, Hashable, CustomStringConvertible {
        /// Property path, e.g. `paymentTerms` or `lines[8].product`.
        public var field: String
        /// e-conomic's `errorMessage`.
        public var message: String
        /// e-conomic's `errorCode` for this property, e.g. `E07080`.
        public var errorCode: String?
        /// The value e-conomic complained about, as text.
        public var inputValue: String?

        /// Creates a field error.
        public init(field: String, message: String, errorCode: String? = nil, inputValue: String? = nil) {
            self.field = field
            self.message = message
            self.errorCode = errorCode
            self.inputValue = inputValue
        }

        /// `field: message`.
        public var description: String { "\(field): \(message)" }
    }

    /// What kind of failure.
    public var code: Code
    /// What the client was doing, e.g. "create customer".
    public var operation: String
    /// The HTTP status, when a response arrived.
    public var httpStatus: Int?
    /// e-conomic's top-level `errorCode`, e.g. `E04300`.
    public var errorCode: String?
    /// e-conomic's `message`, or the client's own explanation.
    public var message: String
    /// e-conomic's `developerHint`.
    public var developerHint: String?
    /// Property errors of a validation failure.
    public var fieldErrors: [FieldError]
    /// e-conomic's `logId`: quote it to e-conomic support.
    public var logId: String?
    /// `Retry-After` in seconds, when sent.
    public var retryAfterSeconds: Int?
    /// Whether the call would have changed data (POST, PUT, DELETE).
    public var isWrite: Bool
    /// Whether the request may have reached e-conomic (false when the connection never opened).
    public var requestMayHaveBeenSent: Bool
    /// For a create answered `201` whose body could not be used: the number of the customer it made, as the
    /// `Location` header (or what could be read of the body) named it. The customer exists; look it up by this.
    public var createdCustomerNumber: Int?

    /// Creates an error.
    public init(
        code: Code,
        operation: String,
        httpStatus: Int? = nil,
        errorCode: String? = nil,
        message: String,
        developerHint: String? = nil,
        fieldErrors: [FieldError] = [],
        logId: String? = nil,
        retryAfterSeconds: Int? = nil,
        isWrite: Bool = false,
        requestMayHaveBeenSent: Bool = true
    ) {
        self.code = code
        self.operation = operation
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.message = message
        self.developerHint = developerHint
        self.fieldErrors = fieldErrors
        self.logId = logId
        self.retryAfterSeconds = retryAfterSeconds
        self.isWrite = isWrite
        self.requestMayHaveBeenSent = requestMayHaveBeenSent
    }

    /// Worth retrying later with backoff: 429, 5xx, timeouts and transport failures. For an ambiguous write,
    /// check whether it took effect before retrying (see ``isAmbiguous``).
    public var isRetryable: Bool {
        switch code {
        case .rateLimited, .serverError, .timeout, .transport: true
        default: false
        }
    }

    /// A write whose outcome is unknown: it was (or may have been) sent, and no answer came back (a timeout or
    /// a dropped connection). The change may have been made; e-conomic has no idempotency keys, so look the
    /// resource up (e.g. a customer by its match keys) before sending it again.
    public var isAmbiguous: Bool {
        guard isWrite, requestMayHaveBeenSent else { return false }
        switch code {
        case .timeout, .transport: return true
        default: return false
        }
    }

    /// A message a user can act on.
    public var description: String {
        var text: String
        switch code {
        case .validationFailed:
            let subject = operation.contains("customer") ? "the customer" : "the request to \(operation)"
            let details = fieldErrors.isEmpty ? message : fieldErrors.map(\.description).joined(separator: "; ")
            text = "e-conomic rejected \(subject): \(details)"
        case .unauthorized:
            text =
                "e-conomic refused the tokens (HTTP 401) while trying to \(operation): check the app secret token and the agreement grant token (the grant may have been revoked)"
        case .forbidden:
            text =
                "e-conomic denied access (HTTP 403) while trying to \(operation): the app's role lacks access to this data; use an app with the SuperUser or Sales role"
        case .notFound:
            text = "e-conomic found nothing (HTTP 404) while trying to \(operation)"
        case .badRequest:
            text = "e-conomic refused the request to \(operation)" + (httpStatus.map { " (HTTP \($0))" } ?? "") + ": \(message)"
        case .rateLimited(let retryAfter):
            text = "e-conomic is limiting the request rate (HTTP 429) while trying to \(operation)"
            text += retryAfter.map { "; retry after \($0) seconds" } ?? "; retry later"
        case .serverError:
            text = "e-conomic failed (HTTP \(httpStatus ?? 500)) while trying to \(operation); retry later"
            if !message.isEmpty { text += ": \(message)" }
        case .timeout:
            text = "e-conomic did not answer in time while trying to \(operation)"
        case .transport:
            text = "the connection to e-conomic failed while trying to \(operation): \(message)"
        case .invalidResponse:
            text = "e-conomic sent a response that could not be read while trying to \(operation): \(message)"
        }
        if isAmbiguous {
            text += ". The change may or may not have been made: look it up before retrying"
        }
        let codes = [errorCode, logId.map { "logId \($0)" }].compactMap { $0 }
        if !codes.isEmpty {
            text += " (" + codes.joined(separator: ", ") + ")"
        }
        return text
    }

    /// The same error with every occurrence of the given secrets replaced, for text that came from the server.
    func redacting(_ secrets: [String]) -> EconomicAPIError {
        var copy = self
        func scrub(_ text: String) -> String {
            secrets.filter { $0.count >= 4 }.reduce(text) { $0.replacingAll($1, with: "<redacted>") }
        }
        copy.message = scrub(message)
        copy.developerHint = developerHint.map(scrub)
        copy.fieldErrors = fieldErrors.map {
            FieldError(field: $0.field, message: scrub($0.message), errorCode: $0.errorCode, inputValue: $0.inputValue.map(scrub))
        }
        return copy
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

extension EconomicAPIError {
    private struct ErrorBody: Decodable {
        var message: String?
        var errorCode: String?
        var developerHint: String?
        var logId: String?
        var errors: JSONValue?
    }

    /// Reads an error response of e-conomic (any non-2xx status and body).
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - body: The response body (an e-conomic error body, or anything else).
    ///   - retryAfter: The `Retry-After` header, if any.
    ///   - operation: What was being done, for the description.
    ///   - isWrite: Whether the request was a POST, PUT or DELETE.
    public static func fromResponse(
        status: Int,
        body: Data,
        retryAfter: String? = nil,
        operation: String,
        isWrite: Bool = false
    ) -> EconomicAPIError {
        let parsed = try? JSONDecoder().decode(ErrorBody.self, from: body)
        let fallbackText = String(decoding: body.prefix(300), as: UTF8.self)
        let retryAfterSeconds = retryAfter.flatMap(parseRetryAfter)
        let fieldErrors = parsed?.errors.map(flattenFieldErrors) ?? []
        let code: Code
        switch status {
        case 400 where parsed?.errorCode == "E04300" || !fieldErrors.isEmpty: code = .validationFailed
        case 401: code = .unauthorized
        case 403: code = .forbidden
        case 404: code = .notFound
        case 429: code = .rateLimited(retryAfter: retryAfterSeconds)
        case 500...599: code = .serverError
        case 400...499: code = .badRequest
        default: code = .invalidResponse
        }
        var message = parsed?.message ?? (fallbackText.isEmpty ? "HTTP \(status)" : fallbackText)
        if code == .invalidResponse { message = "unexpected HTTP status \(status)" }
        if code == .badRequest, let hint = parsed?.developerHint, !hint.isEmpty {
            message += " " + hint
        }
        return EconomicAPIError(
            code: code, operation: operation, httpStatus: status, errorCode: parsed?.errorCode, message: message,
            developerHint: parsed?.developerHint, fieldErrors: fieldErrors, logId: parsed?.logId, retryAfterSeconds: retryAfterSeconds,
            isWrite: isWrite, requestMayHaveBeenSent: true
        )
    }

    /// `Retry-After` as seconds: a number, or an HTTP date (seconds from now).
    public static func parseRetryAfter(_ value: String) -> Int? {
        let trimmed = value.trimmingWhitespace()
        if let seconds = Int(trimmed) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, Int(date.timeIntervalSinceNow.rounded(.up)))
    }

    /// Flattens `errors`: `{field: {errors: [{propertyName, errorMessage, errorCode, inputValue}]}}`, arrays as
    /// `{lines: {items: [{arrayIndex: 8, product: {errors: [...]}}]}}`, and the 2015 shape (`message`/`value`).
    public static func flattenFieldErrors(_ errors: JSONValue) -> [FieldError] {
        var result: [FieldError] = []
        func walk(_ value: JSONValue, path: String) {
            switch value {
            case .object(let object):
                if case .array(let list)? = object["errors"] {
                    for item in list {
                        guard let message = item["errorMessage"]?.text ?? item["message"]?.text else { continue }
                        let input = item["inputValue"] ?? item["value"]
                        result.append(
                            FieldError(
                                field: path.isEmpty ? (item["propertyName"]?.text ?? "") : path, message: message,
                                errorCode: item["errorCode"]?.text, inputValue: input.map(\.text)))
                    }
                }
                if case .array(let items)? = object["items"] {
                    for item in items {
                        walk(item, path: "\(path)[\(item["arrayIndex"]?.text ?? "?")]")
                    }
                }
                for key in object.keys.sorted() where key != "errors" && key != "items" && key != "arrayIndex" {
                    if case .object = object[key]! {
                        walk(object[key]!, path: path.isEmpty ? key : "\(path).\(key)")
                    }
                }
            case .array(let items):
                for item in items {
                    walk(item, path: "\(path)[\(item["arrayIndex"]?.text ?? "?")]")
                }
            default:
                break
            }
        }
        walk(errors, path: "")
        return result
    }
}
