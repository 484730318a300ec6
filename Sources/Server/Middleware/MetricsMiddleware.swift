public import Hummingbird

/// Counts requests and records their durations by method, matched route (never the raw path, which would
/// explode the label set) and status.
public struct RequestMetricsMiddleware: RouterMiddleware {
    /// The request context.
    public typealias Context = AppRequestContext
    let metrics: ServerMetrics

    /// Makes the middleware.
    public init(metrics: ServerMetrics) { self.metrics = metrics }

    /// Times the rest of the chain.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: Int(response.status.code), start: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context, status: Int(status), start: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, start: ContinuousClock.Instant) {
        metrics.request(
            method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: status, duration: ContinuousClock.now - start)
    }
}
