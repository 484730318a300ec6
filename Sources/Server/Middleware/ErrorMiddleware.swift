import Foundation
public import Hummingbird
import Logging
import NIOCore
import PGClient
import StreamingJSON
import SyncEngine

/// The one place errors become HTTP answers.
///
/// - ``APIError``: its status and code (and `Retry-After` when it has a wait).
/// - `CommandError`: `rejected` → 409, `invalidInput` → 422, `unknownTenant` → 404, `contention` → 409,
///   `unreadableEvent` → 500 (logged: the log holds an event this build cannot read).
/// - A read model that does not exist yet (first start) → 503 `read_models_unavailable`.
/// - Hummingbird's `HTTPError` (no route, method not allowed, body too large): its status.
/// - Anything else → 500 `internal`, with the request id to quote; the error itself is logged, never sent.
///
/// API and webhook routes answer `{"error":{"code":…,"message":…}}`; web pages answer an HTML page.
public struct ErrorMiddleware: RouterMiddleware {
    /// The request context.
    public typealias Context = AppRequestContext

    /// Makes the middleware.
    public init() {}

    /// Runs the rest of the chain and translates what it throws.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.answer(error, request: request, context: context)
        }
    }

    /// The answer an error becomes: a JSON error, or on web pages an HTML page (with the navigation when the context
    /// knows who is signed in — ``SessionMiddleware`` answers its routes' errors itself for that reason). Server
    /// errors are logged with their cause; refusals at debug level.
    static func answer(_ error: any Error, request: Request, context: Context) -> Response {
        let apiError = translate(error, context: context)
        if apiError.status == .internalServerError {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "http.route": "\(context.endpointPath ?? "-")"])
        } else {
            context.logger.debug("request refused", metadata: ["error.code": "\(apiError.code)"])
        }
        var response =
            WebPaths.isWeb(request.uri.path)
            ? HTMLResponse.errorPage(apiError, identity: context.identity)
            : jsonAnswer(apiError)
        if let wait = apiError.retryAfter { response.headers[.retryAfter] = String(wholeSeconds(wait)) }
        return response
    }

    /// `{"error":{"code":…,"message":…}}`, written in one pass: refusals are what a flood of forged webhooks or bad keys
    /// makes the server write thousands of times a second, and Foundation's `JSONEncoder` was a seventh of its CPU then.
    static func jsonAnswer(_ error: APIError) -> Response {
        JSONBody.response(encoded: envelope(error), status: error.status)
    }

    /// The error envelope's bytes (nil if it could not be encoded).
    static func envelope(_ error: APIError) -> ByteBuffer? {
        let text = try? envelopeWriter.encode(ErrorEnvelope(error: .init(code: error.code, message: error.message)))
        return text.map { ByteBuffer(string: $0) }
    }

    /// Writes error envelopes (they hold no dates; keys in declaration order, which is also their sorted order).
    private static let envelopeWriter = StreamingJSONEncoder(dateFormat: { $0.ISO8601Format() })

    /// A wait in whole seconds, rounded up, at least 1 (`Retry-After: 0` would invite an immediate retry).
    static func wholeSeconds(_ wait: Duration) -> Int64 {
        max(1, wait.components.seconds + (wait.components.attoseconds > 0 ? 1 : 0))
    }

    /// The answer an error becomes.
    static func translate(_ error: any Error, context: Context) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as CommandError:
            switch error.code {
            case .rejected: return APIError(.conflict, code: "rejected", message: error.message)
            case .invalidInput: return APIError(.unprocessableContent, code: "invalid_input", message: error.message)
            case .unknownTenant: return APIError(.notFound, code: "unknown_tenant", message: "this tenant does not exist")
            case .contention: return APIError(.conflict, code: "contention", message: error.message)
            case .unreadableEvent: return internalError(context)
            }
        case let error as PGError where error.sqlState == .undefinedTable:
            // The projection runner creates the read models' tables on its first start.
            return APIError(
                .serviceUnavailable, code: "read_models_unavailable", message: "the read models are still being built; try again in a moment")
        case let error as HTTPError:
            let status = error.status
            let message = error.body ?? status.reasonPhrase
            switch status.code {
            case 404: return APIError(status, code: "not_found", message: "no such resource")
            case 405: return APIError(status, code: "method_not_allowed", message: "this method is not allowed here")
            case 413: return APIError(status, code: "payload_too_large", message: "the request body is too large")
            case 400..<500: return APIError(status, code: "bad_request", message: message)
            default: return internalError(context)
            }
        default:
            return internalError(context)
        }
    }

    static func internalError(_ context: Context) -> APIError {
        APIError(.internalServerError, code: "internal", message: "an internal error occurred (request id \(context.id))")
    }
}

/// `{"error":{"code":…,"message":…}}`
struct ErrorEnvelope: Codable, Sendable {
    struct Body: Codable, Sendable {
        var code: String
        var message: String
    }
    var error: Body
}
