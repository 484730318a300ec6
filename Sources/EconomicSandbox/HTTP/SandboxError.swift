import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// One property error inside a 400 validation body:
/// `{propertyName, errorMessage, errorCode, inputValue, developerHint}`.
struct PropertyError: Encodable, Sendable, Equatable {
    var propertyName: String
    var errorMessage: String
    var errorCode: String
    var inputValue: JSONValue?
    var developerHint: String
}

/// Error codes the sandbox uses. `E04300`, `E07080`, `E06000` and `E04500` are e-conomic's (seen in recorded
/// responses); for the other problems no real code is known, so the sandbox uses codes starting with `SBX-`.
enum SandboxErrorCode {
    static let validationFailed = "E04300"
    static let paymentTermsNotFound = "E07080"
    static let referenceNotFound = "E06000"
    static let referenceWithoutIdentifier = "E04500"
    static let required = "SBX-REQUIRED"
    static let nullNotAllowed = "SBX-NULL"
    static let wrongType = "SBX-TYPE"
    static let length = "SBX-LENGTH"
    static let range = "SBX-RANGE"
    static let duplicate = "SBX-DUPLICATE"
}

/// The body e-conomic sends with an error status.
struct EconomicErrorBody: Encodable, Sendable {
    struct Errors: Encodable, Sendable { var errors: [PropertyError] }

    var message: String
    var errorCode: String?
    var developerHint: String
    var logId: String
    var httpStatusCode: Int
    var errors: [String: Errors]?
    var logTime: String
    var errorCount: Int?
    // Only on "Could not parse query string filter." (shape of a 2014 capture).
    var allowedFilteringFields: [String]?
    var allowedFilteringOperators: [String: String]?
    var escapeCharacters: [String: String]?
    var wildcard: String?
    var nullValue: String?
}

/// An error the sandbox answers with an e-conomic-shaped JSON body. Each one gets a fresh `logId` and `logTime`.
struct SandboxError: HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var body: EconomicErrorBody
    var headers: HTTPFields = [:]

    init(status: HTTPResponse.Status, message: String, errorCode: String? = nil, developerHint: String, headers: HTTPFields = [:]) {
        self.status = status
        self.body = EconomicErrorBody(
            message: message,
            errorCode: errorCode,
            developerHint: developerHint,
            logId: Self.newLogId(),
            httpStatusCode: status.code,
            logTime: SandboxTime.logTime(Date())
        )
        self.headers = headers
    }

    /// A 16-hex-digit id like e-conomic's `8d79f54f226ebe44-CPH`; the suffix `-SBX` marks the sandbox.
    static func newLogId() -> String {
        let value = UInt64.random(in: 0...UInt64.max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + "-SBX"
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try Self.jsonResponse(status: status, body: body, headers: headers)
    }

    static func jsonResponse(status: HTTPResponse.Status, body: some Encodable, headers: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(body)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentLength] = String(data.count)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension SandboxError {
    static func notFound() -> SandboxError {
        SandboxError(
            status: .notFound,
            message: "Resource not found.",
            developerHint:
                "The API tries to provide all the resource urls you need. If you have hard coded urls yourself, then try to look at the enclosing collection for hypermedia information on where the resource you are looking for could be."
        )
    }

    static func validation(_ errors: [PropertyError]) -> SandboxError {
        var error = SandboxError(
            status: .badRequest,
            message: "Validation failed. \(errors.count) error(s) found.",
            errorCode: SandboxErrorCode.validationFailed,
            developerHint: "Inspect validation errors and correct your request."
        )
        var grouped: [String: EconomicErrorBody.Errors] = [:]
        for propertyError in errors {
            grouped[propertyError.propertyName, default: .init(errors: [])].errors.append(propertyError)
        }
        error.body.errors = grouped
        error.body.errorCount = errors.count
        return error
    }

    static func badRequest(_ message: String, hint: String) -> SandboxError {
        SandboxError(status: .badRequest, message: message, developerHint: hint)
    }

    static func invalidFilter(_ reason: String) -> SandboxError {
        var error = SandboxError(status: .badRequest, message: "Could not parse query string filter.", developerHint: reason)
        error.body.allowedFilteringFields = CustomerField.allCases.filter(\.isFilterable).map(\.rawValue)
        error.body.allowedFilteringOperators = [
            "$eq:": "Equals", "$ne:": "Not equals", "$gt:": "Greater than", "$gte:": "Greater than or equal",
            "$lt:": "Less than", "$lte:": "Less than or equal", "$like:": "Like (* is a wildcard)",
            "$and:": "And", "$or:": "Or", "$in:": "In a list of numbers", "$nin:": "Not in a list of numbers",
        ]
        error.body.escapeCharacters = ["$": "$$", "(": "$(", ")": "$)", "*": "$*", ",": "$,", "[": "$[", "]": "$]"]
        error.body.wildcard = "*"
        error.body.nullValue = "$null:"
        return error
    }

    static func unauthorized() -> SandboxError {
        SandboxError(
            status: .unauthorized,
            message: "Unauthorized: missing or invalid X-AppSecretToken or X-AgreementGrantToken.",
            errorCode: "SBX-UNAUTHORIZED",
            developerHint:
                "Send the app secret token in X-AppSecretToken and the agreement grant token in X-AgreementGrantToken. The sandbox's tokens are set in its configuration (see docs/economic-sandbox.md). The real API offers a read-only demo agreement at https://restapi.e-conomic.com/?demo=true ."
        )
    }

    static func unsupportedMediaType() -> SandboxError {
        SandboxError(
            status: .unsupportedMediaType,
            message: "Unsupported media type.",
            developerHint: "Send the request body as JSON with the header Content-Type: application/json."
        )
    }

    static func methodNotAllowed() -> SandboxError {
        SandboxError(
            status: .methodNotAllowed,
            message: "Method not allowed.",
            developerHint: "See the metaData of the resource or collection for the methods it supports."
        )
    }

    static func rateLimited(retryAfter: Int) -> SandboxError {
        SandboxError(
            status: .tooManyRequests,
            message: "Too many requests.",
            errorCode: "SBX-RATE-LIMIT",
            developerHint: "Injected by the sandbox's rateLimitRate knob. Wait Retry-After seconds, then retry.",
            headers: [.retryAfter: String(retryAfter)]
        )
    }

    static func serverError(status: Int) -> SandboxError {
        SandboxError(
            status: HTTPResponse.Status(code: status),
            message: "An error occurred on the server.",
            errorCode: "SBX-SERVER-ERROR",
            developerHint: "Injected by the sandbox's serverErrorRate knob. Retry with backoff."
        )
    }
}
