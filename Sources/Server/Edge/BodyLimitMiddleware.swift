public import Hummingbird

/// Refuses a body announced larger than its route's cap with 413 before it is read: webhooks
/// (``ServerConfiguration/maxWebhookBodyBytes``), forms of the pages and login (``ServerConfiguration/maxFormBodyBytes``),
/// everything else (``ServerConfiguration/maxJSONBodyBytes``). Bodies without a `Content-Length` (chunked) are
/// capped where they are read (``JSONBody/bytes(of:limit:)``, by every handler and middleware that reads one); a
/// route that reads none never holds its body in memory. Customer file uploads (`POST /api/v1/imports`, `/ui/imports`)
/// pass: their handlers stream them to a file and refuse one over ``ServerConfiguration/maxImportBytes`` themselves,
/// the page with the reason next to its file input.
public struct BodyLimitMiddleware: RouterMiddleware {
    /// The request context.
    public typealias Context = AppRequestContext
    let configuration: ServerConfiguration
    let metrics: ServerMetrics

    /// Makes the middleware; a refused webhook counts as `too_large` in ``ServerMetrics``.
    public init(configuration: ServerConfiguration, metrics: ServerMetrics) {
        self.configuration = configuration
        self.metrics = metrics
    }

    /// Checks `Content-Length`, then runs the rest of the chain.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let limit = cap(for: request.uri.path) else { return try await next(request, context) }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            if request.uri.path.hasPrefix("/webhooks/") { metrics.webhook(.tooLarge) }
            throw APIError.payloadTooLarge(limit: limit)
        }
        return try await next(request, context)
    }

    /// The cap of a path; nil for the customer file uploads, which their handlers cap.
    func cap(for path: String) -> Int? {
        if path.hasPrefix("/webhooks/") { return configuration.maxWebhookBodyBytes }
        if path == "/api/v1/imports" || path == "/ui/imports" { return nil }
        if WebPaths.isWeb(path) { return configuration.maxFormBodyBytes }
        return configuration.maxJSONBodyBytes
    }
}
