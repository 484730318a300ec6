import AsyncHTTPClient
import Connectors
import Credentials
import EconomicSandbox
import EventStore
import Foundation
import Logging
import Outbound
import PGClient
import PostgresTestSupport
import Projections
import Runtime
import ServiceLifecycle
import SyncDomain
import SyncEngine
import Testing

/// A whole Accord process (the runtime's service group, as `accord serve` runs it) on a fresh database, next to an
/// in-process e-conomic sandbox, wired to the shared localstripe by a real signed webhook: the path from a
/// Stripe customer to an e-conomic customer and back is all real HTTP.
///
/// localstripe is shared by every test and sends every event to every registered webhook, so each run uses its
/// own e-mail domain and counts only its own customers.
struct EndToEnd {
    let services: AccordServices
    let tenant: TenantID
    let sandboxURL: String
    let accordURL: String
    let stripe: StripeClient
    let economic: EconomicClient
    let domain: String

    static let stripeKey = "sk_test_accord_e2e"
    static let writeBackKey = "economic_customer_number"

    static func run(knobs: SandboxKnobs = .none, _ body: (EndToEnd) async throws -> Void) async throws {
        guard let stripeBase = ProcessInfo.processInfo.environment["STRIPE_API_BASE"] else {
            throw TestDatabaseError(description: "STRIPE_API_BASE is not set: run the tests with `bash ops/test.sh` (it starts localstripe)")
        }
        try await TestDatabase.with { database in
            var environment = ProcessInfo.processInfo.environment
            environment["ACCORD_MASTER_KEY"] = MasterKey.generate().exportBase64()
            let configuration = AppConfiguration(database: database.configuration, databaseConnections: 16, port: 0)
            let worker = OutboundWorkerConfiguration(
                maxConcurrentRequests: 8, economicRateLimit: RateLimit(requestsPerSecond: 1000, burst: 200),
                retryPolicy: .exponentialJitter(base: 0.2, multiplier: 2, maxDelay: 2, maxAttempts: 12), pollInterval: .milliseconds(200))
            let services = try AccordServices(configuration: configuration, environment: environment, worker: worker, logger: database.logger)
            let (sandboxPorts, sandboxPort) = AsyncStream.makeStream(of: Int.self)
            let (serverPorts, serverPort) = AsyncStream.makeStream(of: Int.self)
            let sandbox = try await buildSandboxApplication(
                configuration: SandboxConfiguration(port: 0, knobs: knobs, randomSeed: 7, seed: .referenceData), logger: database.logger
            ) { sandboxPort.yield($0) }
            let group = services.serviceGroup(onServerRunning: { serverPort.yield($0) }, additional: [sandbox], handleSignals: false)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var sandboxIterator = sandboxPorts.makeAsyncIterator()
                var serverIterator = serverPorts.makeAsyncIterator()
                guard let sandboxPort = await sandboxIterator.next(), let serverPort = await serverIterator.next() else { return }
                let suffix = UUID().uuidString.lowercased().prefix(10)
                let harness = EndToEnd(
                    services: services, tenant: try TenantID("e2e-\(suffix)"), sandboxURL: "http://127.0.0.1:\(sandboxPort)",
                    accordURL: "http://127.0.0.1:\(serverPort)",
                    stripe: StripeClient(configuration: StripeConfiguration(apiBase: stripeBase, secretKey: stripeKey, timeout: .seconds(20))),
                    economic: EconomicClient(
                        configuration: .init(
                            baseURL: "http://127.0.0.1:\(sandboxPort)", appSecretToken: SandboxConfiguration.defaultAppSecretToken,
                            agreementGrantToken: SandboxConfiguration.defaultAgreementGrantToken)),
                    domain: "e2e-\(suffix).example")
                try await harness.setUp(stripeBase: stripeBase)
                do {
                    try await body(harness)
                } catch {
                    try? await harness.tearDown(stripeBase: stripeBase)
                    await group.triggerGracefulShutdown()
                    throw error
                }
                try await harness.tearDown(stripeBase: stripeBase)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    private func setUp(stripeBase: String) async throws {
        try await services.setUpLocalTenant(
            tenant,
            connections: .init(
                economicBaseURL: sandboxURL, economicAppSecretToken: SandboxConfiguration.defaultAppSecretToken,
                economicAgreementGrantToken: SandboxConfiguration.defaultAgreementGrantToken, stripeAPIBase: stripeBase, stripeSecretKey: Self.stripeKey),
            accordURL: accordURL, webhookID: "accord-e2e-\(tenant)"
        ) { settings in
            settings.numbering = .economicAssigns(writeBackMetadataKey: Self.writeBackKey)
            settings.defaults = NewCustomerDefaults(
                paymentTerms: 1, customerGroup: 1, vatZone: .byCountry(domestic: 1, eu: 2, abroad: 3), currency: "DKK", layout: 19)
        }
    }

    /// Switches this run's webhook off (localstripe cannot remove one).
    private func tearDown(stripeBase: String) async throws {
        try await LocalStripeAdmin.disableWebhook(apiBase: stripeBase, id: "accord-e2e-\(tenant)")
    }

    /// Where the sync stands, for a failure message: Stripe customers observed, webhooks waiting in the inbox, links,
    /// and events the reactor has not handled yet.
    func pipelineState() async throws -> String {
        try await services.pool.withTransaction(scope: .system) { connection in
            let observed = try await connection.query(
                "SELECT count(*) FROM customers WHERE tenant_id = \(tenant.rawValue) AND system = 'stripe'"
            ).singleValue(Int.self) ?? 0
            let inbox = try await connection.query(
                "SELECT count(*) FROM webhook_inbox WHERE tenant_id = \(tenant.rawValue) AND status = 'pending'"
            ).singleValue(Int.self) ?? 0
            let links = try await connection.query(
                "SELECT count(*) FROM partner_links WHERE tenant_id = \(tenant.rawValue)"
            ).singleValue(Int.self) ?? 0
            let unhandled = try await connection.query(
                """
                SELECT count(*) FROM events e WHERE NOT EXISTS (
                    SELECT 1 FROM projection_checkpoints c WHERE c.projection = \(Reactor.checkpointName)
                      AND (e.txid, e.global_position) <= (c.txid, c.global_position))
                """
            ).singleValue(Int.self) ?? 0
            return "\(observed) Stripe customers observed, \(inbox) webhooks pending, \(links) links, \(unhandled) events not yet handled by the reactor"
        }
    }

    /// This run's e-conomic customers (by e-mail domain).
    func economicCustomers() async throws -> [EconomicCustomer] {
        try await economic.allCustomers().filter { $0.email?.hasSuffix("@" + domain) == true }
    }

    /// Waits until `condition` holds, checking every 200 ms, for at most `timeout`.
    func eventually(_ what: String, timeout: Duration = .seconds(120), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting: \(what)")
        throw CancellationError()
    }
}
