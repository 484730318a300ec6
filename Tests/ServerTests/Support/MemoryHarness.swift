import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import SyncDomain
import SyncEngine
import Testing

@testable import Server

/// The server's API, pages and health over in-memory dependencies, no PostgreSQL: two tenants (`acme`,
/// `globex`) with an API key each, the engine in memory (commands, the sync policy on `settle()`, read models),
/// and the router of ``Server/AccordServer/buildRouter(configuration:controllers:metrics:)`` — every route but
/// Stripe's webhook endpoint, which records into PostgreSQL and is tested end to end.
struct MemoryHarness: Sendable {
    let engine: MemoryEngine
    let apiKeys: MemoryAPIKeys
    let controllers: ControllerDependencies
    var configuration: ServerConfiguration
    let metrics: ServerMetrics
    let acme: TenantID
    let globex: TenantID
    let acmeKey: String
    let globexKey: String

    static let user = CommandMetadata(actor: "user:test")

    /// Runs `body` with a fresh harness.
    /// - Parameter databaseAnswers: what `/health` hears from the database.
    static func run(databaseAnswers: Bool = true, _ body: (MemoryHarness) async throws -> Void) async throws {
        let acme = try TenantID("acme")
        let globex = try TenantID("globex")
        let engine = MemoryEngine(tenants: [acme, globex])
        let keys = MemoryAPIKeys()
        let harness = MemoryHarness(
            engine: engine, apiKeys: keys,
            controllers: ControllerDependencies(
                reads: MemoryReads(engine: engine), commands: engine, apiKeys: keys, sessions: MemorySessions(keys: keys),
                health: MemoryHealth(answers: databaseAnswers)),
            configuration: ServerConfiguration(port: 0, maxJSONBodyBytes: 16 * 1024, limits: .off),
            metrics: ServerMetrics(registry: PrometheusCollectorRegistry()),
            acme: acme, globex: globex, acmeKey: keys.create(tenant: acme), globexKey: keys.create(tenant: globex))
        try await body(harness)
    }

    /// Runs `body` with a client of the router (no socket by default; `.live` serves on loopback as `accord serve`
    /// does, so requests have a peer address and the connections refuse what the per-client limit refuses early).
    func withClient(_ setup: TestingSetup = .router, _ body: @escaping @Sendable (TestClient) async throws -> Void) async throws {
        let rateLimits = RateLimitMiddleware(limits: configuration.limits)
        let router = AccordServer.buildRouter(configuration: configuration, controllers: controllers, metrics: metrics, rateLimits: rateLimits)
        try await Application(router: router, server: AccordServer.httpServer(configuration, refusing: rateLimits, metrics: metrics))
            .test(setup) { client in try await body(TestClient(client: client)) }
    }

    /// The commands, carried out in memory.
    var handler: any TenantCommands { engine }

    /// What the API and the pages read.
    var reads: any TenantReads { controllers.reads }

    /// Records an observation.
    @discardableResult
    func observe(_ customer: CustomerRef, _ fields: [String: String], tenant: TenantID? = nil) async throws -> CommandResult {
        try await engine.observeCustomer(CustomerObserved(customer: customer, fields: fields), tenant: tenant ?? acme, metadata: Self.user)
    }

    /// Makes the tenant's automatic creation manual, so unmatched customers stay unpartnered for the tests.
    func manualCreation(_ tenant: TenantID? = nil) async throws {
        var settings = TenantSettings.default
        settings.createPolicy = .manual
        try await engine.updateSettings(settings, expectedVersion: 0, tenant: tenant ?? acme, metadata: Self.user)
    }

    /// Lets the sync policy react to everything recorded so far.
    func settle() async throws { try await engine.settle() }

    /// Every event of a tenant, in order.
    func events(of tenant: TenantID? = nil) async throws -> [SyncEvent] { await engine.events(of: tenant ?? acme) }
}
