import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Counts every request by method, path pattern and final status (outermost middleware).
struct StatsMiddleware: RouterMiddleware {
    typealias Context = SandboxRequestContext
    let store: SandboxStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method.rawValue
        let path = request.statsPath
        do {
            let response = try await next(request, context)
            if !path.hasPrefix("/_sandbox") { await store.record(method: method, path: path, status: response.status.code) }
            return response
        } catch let error as DroppedResponse {
            await store.record(method: method, path: path, status: 0)
            throw error
        } catch {
            await store.record(method: method, path: path, status: (error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }
}

/// Turns every error into an e-conomic-shaped JSON response (Hummingbird's own 404/413 included).
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = SandboxRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DroppedResponse {
            throw error
        } catch let error as SandboxError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError where error.status == .notFound {
            return try SandboxError.notFound().response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let status = error.status
            return try SandboxError(
                status: status, message: status.reasonPhrase, developerHint: "\(error)"
            ).response(from: request, context: context)
        } catch {
            context.logger.error("Sandbox failed", metadata: ["error": "\(error)"])
            return try SandboxError(status: .internalServerError, message: "An error occurred on the server.", developerHint: "\(error)")
                .response(from: request, context: context)
        }
    }
}

/// Checks `X-AppSecretToken` and `X-AgreementGrantToken`; `/_sandbox/…` needs no tokens.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = SandboxRequestContext
    let appSecretToken: String
    let agreementGrantToken: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.hasPrefix("/_sandbox") { return try await next(request, context) }
        guard let app = HTTPField.Name("X-AppSecretToken"), let grant = HTTPField.Name("X-AgreementGrantToken"),
            request.headers[app] == appSecretToken, request.headers[grant] == agreementGrantToken
        else {
            throw SandboxError.unauthorized()
        }
        return try await next(request, context)
    }
}

/// Thrown after the connection was closed on purpose: nothing more can be sent.
struct DroppedResponse: Error {}

/// Applies the knobs: latency, then 429, 5xx, or "carry out, then drop the connection".
struct FaultMiddleware: RouterMiddleware {
    typealias Context = SandboxRequestContext
    let store: SandboxStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.hasPrefix("/_sandbox") { return try await next(request, context) }
        let decision = await store.decide(method: request.method.rawValue, path: request.uri.path)
        if decision.latency > .zero { try await Task.sleep(for: decision.latency) }
        switch decision.fault {
        case .rateLimit?:
            throw SandboxError.rateLimited(retryAfter: await store.knobs.retryAfterSeconds)
        case .serverError?:
            throw SandboxError.serverError(status: await store.knobs.serverErrorStatus)
        case .dropResponse?:
            // Let the request take effect (the write is committed), then close the connection before any byte of
            // the response is written: the client sees the connection end without a response.
            _ = try? await next(request, context)
            context.logger.debug("Dropping response on purpose")
            try? await context.channel.close()
            throw DroppedResponse()
        case nil:
            return try await next(request, context)
        }
    }
}
