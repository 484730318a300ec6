import Connectors
import Credentials
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ingest
import Logging
import NIOCore
import Outbound
import PGClient
import PostgresTestSupport
import Projections
import Server
import SyncDomain
import SyncEngine
import Synchronization
import Testing

/// A migrated database with two tenants (`acme`, `globex`) and an API key each, the engine running on it
/// (projection runner and listener in the background; a reactor the test drives with `settle()`), and the
/// server built on it. The inbox processor is driven by the test (`processInbox()`), not run as a service.
/// Everything connects as `accord`, the runtime login role.
struct ServerHarness: Sendable {
    let database: TestDatabase
    let store: EventStore
    let handler: CommandHandler
    let reactor: Reactor
    /// Carries changes of mappings to the linked pairs; `settle()` works them through.
    let applications: SettingsApplicationService
    let server: AccordServer
    let inbox: InboxProcessor
    let secrets: InMemoryWebhookSecrets
    /// Where the tenants' connections are stored (with a key made for the test).
    let credentials: CredentialStore
    let acme: TenantID
    let globex: TenantID
    let acmeKey: String
    let globexKey: String

    static let user = CommandMetadata(actor: "user:test")
    /// The projectors `accord serve` runs: the read models and the outbound queue (whose failures the API lists).
    static let projectors: [any Projector] = AccordProjections.all + [OutboundRequestsProjector()]
    static let webhookSecret = "whsec_accord_server_test"
    /// The largest customer file the test server imports.
    static let importLimit = 64 * 1024

    static func run(
        stripe: (any StripeCustomerSource)? = nil,
        now: (@Sendable () -> Date)? = nil,
        confirmChangesAbove: Int = 100,
        _ body: (ServerHarness) async throws -> Void
    ) async throws {
        try await TestDatabase.with { database in
            // As `accord serve` connects: the login role that is only a member of the runtime roles.
            try await database.withPool(maxConnections: 10, as: .runtime) { pool in
                let store = EventStore(pool: pool, logger: database.logger)
                let acme = try await database.addTenant("acme", name: "Acme A/S", pool: pool)
                let globex = try await database.addTenant("globex", name: "Globex", pool: pool)
                let cache = TenantStateCache(store: store)
                let handler = CommandHandler(store: store, cache: cache, logger: database.logger)
                let secrets = InMemoryWebhookSecrets([acme: [webhookSecret]])
                let credentials = CredentialStore(pool: pool, cipher: CredentialCipher(current: MasterKey.generate()), logger: database.logger)
                let dependencies = ServerDependencies(
                    store: store, commands: handler, tenantCache: cache, webhookSecrets: secrets, credentials: credentials, logger: database.logger)
                let server = AccordServer(
                    configuration: ServerConfiguration(
                        port: 0, maxJSONBodyBytes: 16 * 1024, maxImportBytes: importLimit, limits: .off, confirmChangesAbove: confirmChangesAbove),
                    dependencies: dependencies,
                    webhookClock: now)
                let inbox = InboxProcessor(
                    pool: pool, commands: handler, stripeCustomers: stripe ?? FakeStripeCustomers(),
                    configuration: .init(batchSize: 5, retryPolicy: .exponentialJitter(base: 0.01, multiplier: 2, maxDelay: 0.05, maxAttempts: 12)),
                    metrics: server.metrics.inbox,
                    doorbell: server.doorbell, logger: database.logger)
                let keys = APIKeyStore(pool: pool)
                let acmeKey = try await keys.create(tenant: acme, name: "acme tests").key.token
                let globexKey = try await keys.create(tenant: globex, name: "globex tests").key.token
                let listener = PGListener(
                    configuration: database.configuration(as: .runtime), channels: [EventStore.notificationChannel], logger: database.logger)
                let runner = ProjectionRunner(
                    projectors: Self.projectors, store: store, listener: listener, pollInterval: .milliseconds(100), logger: database.logger)
                let reactor = Reactor(store: store, cache: cache, listener: nil, logger: database.logger)
                let harness = ServerHarness(
                    database: database, store: store, handler: handler, reactor: reactor,
                    applications: SettingsApplicationService(reactor: reactor, store: store, cache: cache, logger: database.logger),
                    server: server, inbox: inbox, secrets: secrets, credentials: credentials, acme: acme, globex: globex, acmeKey: acmeKey,
                    globexKey: globexKey)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await listener.run() }
                    group.addTask { try await runner.run() }
                    group.addTask { try await server.dependencies.imports.run() }
                    do {
                        try await harness.waitForProjections()
                        try await body(harness)
                    } catch {
                        group.cancelAll()
                        throw error
                    }
                    group.cancelAll()
                }
            }
        }
    }

    /// Runs `body` with a client of the application (no socket).
    func withClient(_ body: @escaping @Sendable (TestClient) async throws -> Void) async throws {
        let app = server.buildApplication()
        try await app.test(.router) { client in try await body(TestClient(client: client)) }
    }

    /// The tenants' API keys, in the database.
    var apiKeys: APIKeyStore { APIKeyStore(pool: store.pool) }

    /// Records an observation.
    @discardableResult
    func observe(_ customer: CustomerRef, _ fields: [String: String], tenant: TenantID? = nil) async throws -> CommandResult {
        try await handler.observeCustomer(CustomerObserved(customer: customer, fields: fields), tenant: tenant ?? acme, metadata: Self.user)
    }

    /// Makes the tenant's automatic creation manual, so unmatched customers stay unpartnered for the tests.
    func manualCreation(_ tenant: TenantID? = nil) async throws {
        var settings = TenantSettings.default
        settings.createPolicy = .manual
        try await handler.updateSettings(settings, expectedVersion: 0, tenant: tenant ?? acme, metadata: Self.user)
    }

    /// Lets the reactor handle everything written so far (and changes of mappings be applied to the linked pairs, unless
    /// `applying` is false), then waits for every projection to catch up.
    func settle(applying: Bool = true) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            try await reactor.processPending()
            if applying { try await applications.applyAll() }
            if try await covered(projections: ["reactor"]) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await waitForProjections()
    }

    /// Waits until every active projection has applied every event written so far.
    func waitForProjections() async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            let names = try await store.pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT name FROM projections WHERE state = 'active'").decode((String).self)
            }
            if names.count == Self.projectors.count, try await covered(projections: names) { return }
            try await Task.sleep(for: .milliseconds(30))
        }
        Issue.record("the projections did not catch up within 60 s")
    }

    private func covered(projections: [String]) async throws -> Bool {
        try await store.pool.withTransaction(scope: .system) { connection in
            let total = try await connection.query("SELECT count(*) FROM events").singleValue(Int.self) ?? 0
            for name in projections {
                let applied =
                    try await connection.query(
                        """
                        SELECT count(*) FROM events e, projection_checkpoints c
                        WHERE c.projection = \(name) AND c.shard = 'all' AND (e.txid, e.global_position) <= (c.txid, c.global_position)
                          AND (c.version = (SELECT version FROM projections WHERE name = \(name) AND state = 'active') OR \(name) = 'reactor')
                        """
                    ).singleValue(Int.self) ?? 0
                if applied < total { return false }
            }
            return true
        }
    }

    /// Every event of a tenant, decoded, in order.
    func events(of tenant: TenantID? = nil) async throws -> [SyncEvent] {
        let rows = try await store.pool.withTransaction(scope: .tenant(tenant ?? acme)) { connection in
            try await connection.query("SELECT type, schema_version, data FROM events ORDER BY global_position").decode((String, Int, PGJSON).self)
        }
        return try rows.map { try SyncEvent.decode(type: $0.0, schemaVersion: $0.1, data: Data($0.2.text.utf8)) }
    }

    /// Rows of the webhook inbox (all tenants).
    func inboxCount(eventID: String? = nil) async throws -> Int {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT count(*) FROM webhook_inbox WHERE \(eventID)::text IS NULL OR event_id = \(eventID)").singleValue(
                Int.self)
                ?? 0
        }
    }

    /// Processes the inbox until nothing is due.
    @discardableResult
    func processInbox() async throws -> [InboxProcessor.Outcome] {
        try await inbox.processPending()
    }
}

/// Stripe customers held in memory, with a log of fetches.
final class FakeStripeCustomers: StripeCustomerSource {
    private let state = Mutex<(customers: [String: StripeCustomerLookup], fetches: [String], failures: Int)>(([:], [], 0))

    /// Sets what Stripe "has" for a customer id.
    func set(_ lookup: StripeCustomerLookup, for id: String) { state.withLock { $0.customers[id] = lookup } }

    /// Makes the next `count` fetches fail.
    func failNext(_ count: Int) { state.withLock { $0.failures = count } }

    /// The ids fetched, in order.
    var fetches: [String] { state.withLock { $0.fetches } }

    func customer(id: String, tenant: TenantID) async throws -> StripeCustomerLookup {
        try state.withLock { state in
            state.fetches.append(id)
            if state.failures > 0 {
                state.failures -= 1
                throw StripeAPIError(kind: .transport, message: "connection reset (test)")
            }
            return state.customers[id] ?? .notFound(id: id)
        }
    }
}
