import Foundation
import Hummingbird
import Ingest
import Logging
import NIOCore
import Prometheus

/// `/health` (is the database reachable?) and `/metrics` (Prometheus text).
struct HealthController: Sendable {
    let probe: any ServerHealth
    let metrics: ServerMetrics

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/health", use: health)
        router.get("/metrics", use: metricsText)
    }

    struct Health: Codable {
        var status: String
        var database: String
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            let probe = self.probe
            let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { try await probe.databaseAnswers() }
                group.addTask {
                    try await Task.sleep(for: .seconds(5))
                    throw CancellationError()
                }
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
            guard answered else { throw CancellationError() }
            return JSONBody.response(Health(status: "ok", database: "ok"))
        } catch {
            context.logger.warning("health check: database unreachable", metadata: ["error": "\(error)"])
            return JSONBody.response(Health(status: "unavailable", database: "unreachable"), status: .serviceUnavailable)
        }
    }

    @Sendable func metricsText(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let backlog = try? await probe.inboxBacklog() { metrics.inbox.backlog(backlog) }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
    }
}
