import Foundation
import Hummingbird
import Ingest
import Logging
import NIOCore
import Prometheus

/// `/health` (the process is alive: answered without the database), `/ready` (the database answers and every read
/// model is built: asked at most once a second, see ``ReadinessCache``) and `/metrics` (Prometheus text).
struct HealthController: Sendable {
    let probe: any ServerHealth
    let readiness: ReadinessCache
    let metrics: ServerMetrics

    init(probe: any ServerHealth, metrics: ServerMetrics) {
        self.probe = probe
        self.readiness = ReadinessCache(probe: probe)
        self.metrics = metrics
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/health", use: health)
        router.get("/ready", use: ready)
        router.get("/metrics", use: metricsText)
    }

    struct Health: Codable {
        var status: String
    }

    struct Readiness: Codable {
        var status: String
        var database: String
        var readModels: String
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        JSONBody.response(Health(status: "alive"))
    }

    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> Response {
        let answer = await readiness.current()
        let body = Readiness(
            status: answer.ready ? "ready" : "unavailable", database: answer.databaseAnswers ? "ok" : "unreachable",
            readModels: !answer.databaseAnswers ? "unknown" : answer.readModelsBuilt ? "built" : "building")
        if !answer.ready { context.logger.warning("not ready", metadata: ["database": "\(body.database)", "read_models": "\(body.readModels)"]) }
        return JSONBody.response(body, status: answer.ready ? .ok : .serviceUnavailable)
    }

    @Sendable func metricsText(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            metrics.record(try await probe.operations())
        } catch {
            context.logger.warning("metrics: the operations snapshot could not be read", metadata: ["error": "\(error)"])
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
    }
}
