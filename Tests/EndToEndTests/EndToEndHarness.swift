import AsyncHTTPClient
import Chaos
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
/// Stripe customer to an e-conomic customer and back is all real HTTP. A test may stop Accord and start it again
/// on the same database (``restart(whileDown:)``); the sandbox and the tenant stay.
///
/// localstripe is shared by every test and sends every event to every registered webhook (and its events list holds
/// every test's events), so each run uses its own e-mail domain and counts only its own customers.
struct EndToEnd {
    let tenant: TenantID
    let sandboxURL: String
    let stripe: StripeClient
    let economic: EconomicClient
    let domain: String
    let stripeBase: String
    let database: TestDatabase
    let environment: [String: String]
    let process: CurrentProcess
    /// The name of the process's database sessions and workers (``AccordProcess/start(database:environment:name:)``).
    let processName: String?
    let settings: @Sendable (inout TenantSettings) -> Void

    /// The running process's services.
    var services: AccordServices { process.value.services }
    /// Where the running process's HTTP server listens.
    var accordURL: String { "http://127.0.0.1:\(process.value.port)" }

    static let stripeKey = "sk_test_accord_e2e"
    static let writeBackKey = "economic_customer_number"

    /// Runs `body` against a fresh Accord, sandbox and tenant.
    /// - Parameters:
    ///   - knobs: the sandbox's faults.
    ///   - settings: changes the tenant's settings after the defaults every run uses (e.g. manual creation, so that a
    ///     test that needs only observations creates nothing in e-conomic — nor writes numbers back to the other tests'
    ///     Stripe customers, which its tenant sees too).
    ///   - processName: names Accord's database sessions and workers, so that the test can kill it
    ///     (``AccordProcess/kill(database:)``); nil: as `accord serve` names them.
    ///   - body: the test.
    static func run(
        knobs: SandboxKnobs = .none, settings: @escaping @Sendable (inout TenantSettings) -> Void = { _ in }, processName: String? = nil,
        _ body: (EndToEnd) async throws -> Void
    ) async throws {
        // Each run gets a localstripe of its own when ops/test.sh provides a Python with it: localstripe posts every
        // event to every webhook and lists everyone's events, so runs sharing one would create partners for each
        // other's customers and write numbers into each other's metadata.
        let processEnvironment = ProcessInfo.processInfo.environment
        var ownStripe: LocalStripeProcess?
        if let python = processEnvironment["ACCORD_PYTHON"], !python.isEmpty {
            ownStripe = try await LocalStripeProcess.start(python: python, script: Self.checkout.appendingPathComponent("ops/localstripe.py").path)
        }
        guard let stripeBase = ownStripe?.baseURL ?? processEnvironment["STRIPE_API_BASE"] else {
            throw TestDatabaseError(description: "STRIPE_API_BASE is not set: run the tests with `bash ops/test.sh` (it starts localstripe)")
        }
        do {
            try await run(stripeBase: stripeBase, knobs: knobs, settings: settings, processName: processName, body)
        } catch {
            await ownStripe?.stop()
            throw error
        }
        await ownStripe?.stop()
    }

    /// The repository's root (for `ops/localstripe.py`).
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private static func run(
        stripeBase: String, knobs: SandboxKnobs, settings: @escaping @Sendable (inout TenantSettings) -> Void, processName: String?,
        _ body: (EndToEnd) async throws -> Void
    ) async throws {
        try await TestDatabase.with { database in
            var environment = ProcessInfo.processInfo.environment
            environment["ACCORD_MASTER_KEY"] = MasterKey.generate().exportBase64()
            let (sandboxPorts, sandboxPort) = AsyncStream.makeStream(of: Int.self)
            let sandbox = try await buildSandboxApplication(
                configuration: SandboxConfiguration(port: 0, knobs: knobs, randomSeed: 7, seed: .referenceData), logger: database.logger
            ) { sandboxPort.yield($0) }
            let sandboxGroup = ServiceGroup(
                configuration: .init(services: [.init(service: sandbox)], gracefulShutdownSignals: [], logger: database.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await sandboxGroup.run() }
                var sandboxIterator = sandboxPorts.makeAsyncIterator()
                guard let sandboxPort = await sandboxIterator.next() else { return }
                let process = CurrentProcess(try await AccordProcess.start(database: database, environment: environment, name: processName))
                let suffix = UUID().uuidString.lowercased().prefix(10)
                let harness = EndToEnd(
                    tenant: try TenantID("e2e-\(suffix)"), sandboxURL: "http://127.0.0.1:\(sandboxPort)",
                    stripe: StripeClient(configuration: StripeConfiguration(apiBase: stripeBase, secretKey: stripeKey, timeout: .seconds(20))),
                    economic: EconomicClient(
                        configuration: .init(
                            baseURL: "http://127.0.0.1:\(sandboxPort)", appSecretToken: SandboxConfiguration.defaultAppSecretToken,
                            agreementGrantToken: SandboxConfiguration.defaultAgreementGrantToken)),
                    domain: "e2e-\(suffix).example", stripeBase: stripeBase, database: database, environment: environment, process: process,
                    processName: processName, settings: settings)
                do {
                    try await harness.setUp()
                    try await body(harness)
                } catch {
                    try? await harness.tearDown()
                    try? await process.value.stop()
                    await sandboxGroup.triggerGracefulShutdown()
                    throw error
                }
                try await harness.tearDown()
                try await process.value.stop()
                await sandboxGroup.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    /// Stops Accord, runs `whileDown`, and starts a new Accord process on the same database. The webhook still
    /// points at the stopped process: Stripe's events of the outage, and of after it, reach the new process only
    /// through the catch-up.
    func restart(whileDown: () async throws -> Void) async throws {
        try await process.value.stop()
        try await whileDown()
        process.replace(with: try await AccordProcess.start(database: database, environment: environment, name: processName))
    }

    private func setUp() async throws {
        try await services.setUpLocalTenant(
            tenant,
            connections: .init(
                economicBaseURL: sandboxURL, economicAppSecretToken: SandboxConfiguration.defaultAppSecretToken,
                economicAgreementGrantToken: SandboxConfiguration.defaultAgreementGrantToken, stripeAPIBase: stripeBase,
                stripeSecretKey: Self.stripeKey),
            accordURL: accordURL, webhookID: "accord-e2e-\(tenant)"
        ) { settings in
            settings.numbering = .economicAssigns(writeBackMetadataKey: Self.writeBackKey)
            settings.defaults = NewCustomerDefaults(
                paymentTerms: 1, customerGroup: 1, vatZone: .byCountry(domestic: 1, eu: 2, abroad: 3), currency: "DKK", layout: 19)
            self.settings(&settings)
        }
    }

    /// Switches this run's webhook off (localstripe cannot remove one): Stripe's events then reach Accord only
    /// through the catch-up from its events list.
    func disableWebhook() async throws {
        try await LocalStripeAdmin.disableWebhook(apiBase: stripeBase, id: "accord-e2e-\(tenant)")
    }

    private func tearDown() async throws {
        try await disableWebhook()
    }

    /// Where the sync stands, for a failure message: Stripe customers observed (and how many of them are this run's:
    /// the others are other tests' customers, which localstripe's webhooks and events list bring too), their links,
    /// webhooks waiting in the inbox, links, and events the reactor has not handled yet.
    func pipelineState() async throws -> String {
        try await services.pool.withTransaction(scope: .system) { connection in
            let (observed, own, ownLinked) =
                try await connection.query(
                    """
                    SELECT count(*), count(*) FILTER (WHERE email LIKE \("%@" + domain)),
                        count(*) FILTER (WHERE email LIKE \("%@" + domain) AND link_id IS NOT NULL)
                    FROM customers WHERE tenant_id = \(tenant.rawValue) AND system = 'stripe'
                    """
                ).decode((Int, Int, Int).self).first ?? (0, 0, 0)
            let inbox =
                try await connection.query(
                    "SELECT count(*) FROM webhook_inbox WHERE tenant_id = \(tenant.rawValue) AND status = 'pending'"
                ).singleValue(Int.self) ?? 0
            let links =
                try await connection.query(
                    "SELECT count(*) FROM partner_links WHERE tenant_id = \(tenant.rawValue)"
                ).singleValue(Int.self) ?? 0
            let unhandled =
                try await connection.query(
                    """
                    SELECT count(*) FROM events e WHERE NOT EXISTS (
                        SELECT 1 FROM projection_checkpoints c WHERE c.projection = \(Reactor.checkpointName) AND c.shard = 'all'
                          AND (e.txid, e.global_position) <= (c.txid, c.global_position))
                    """
                ).singleValue(Int.self) ?? 0
            return "\(observed) Stripe customers observed (\(own) of this run, \(ownLinked) of them linked), \(inbox) webhooks pending, "
                + "\(links) links, \(unhandled) events not yet handled by the reactor"
        }
    }

    /// The Stripe customers Accord holds as existing (the `customers` read model, empty until the projection runner
    /// has made it), this run's and others'.
    func observedStripeCustomers() async throws -> Set<String> {
        try await services.pool.withTransaction(scope: .tenant(tenant)) { connection in
            guard try await connection.query("SELECT to_regclass('customers') IS NOT NULL").singleValue(Bool.self) == true else { return [] }
            return Set(try await connection.query("SELECT external_id FROM customers WHERE system = 'stripe' AND NOT deleted").decode((String).self))
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
