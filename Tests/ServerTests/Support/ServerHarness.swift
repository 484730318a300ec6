import Connectors
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ingest
import Logging
import NIOCore
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
struct ServerHarness: Sendable {
    let database: TestDatabase
    let store: EventStore
    let handler: CommandHandler
    let reactor: Reactor
    let server: AccordServer
    let inbox: InboxProcessor
    let secrets: InMemoryWebhookSecrets
    let acme: TenantID
    let globex: TenantID
    let acmeKey: String
    let globexKey: String

    static let user = CommandMetadata(actor: "user:test")
    static let webhookSecret = "whsec_accord_server_test"

    static func run(
        stripe: (any StripeCustomerSource)? = nil,
        now: (@Sendable () -> Date)? = nil,
        _ body: (ServerHarness) async throws -> Void
    ) async throws {
        try await TestDatabase.with { database in
            try await database.withPool(maxConnections: 10) { pool in
                let store = EventStore(pool: pool, logger: database.logger)
                let acme = try await database.addTenant("acme", name: "Acme A/S", pool: pool)
                let globex = try await database.addTenant("globex", name: "Globex", pool: pool)
                let cache = TenantStateCache(store: store)
                let handler = CommandHandler(store: store, cache: cache, logger: database.logger)
                let secrets = InMemoryWebhookSecrets([acme: [webhookSecret]])
                let dependencies = ServerDependencies(
                    store: store, commands: handler, tenantCache: cache, webhookSecrets: secrets, logger: database.logger)
                let server = AccordServer(
                    configuration: ServerConfiguration(port: 0, maxJSONBodyBytes: 16 * 1024), dependencies: dependencies, webhookClock: now)
                let inbox = InboxProcessor(
                    pool: pool, commands: handler, stripeCustomers: stripe ?? FakeStripeCustomers(),
                    configuration: .init(batchSize: 5, retryPolicy: .exponentialJitter(base: 0.01, multiplier: 2, maxDelay: 0.05, maxAttempts: 12)),
                    metrics: server.metrics.inbox,
                    doorbell: server.doorbell, logger: database.logger)
                let keys = APIKeyStore(pool: pool)
                let acmeKey = try await keys.create(tenant: acme, name: "acme tests").key.token
                let globexKey = try await keys.create(tenant: globex, name: "globex tests").key.token
                let listener = PGListener(configuration: database.configuration, channels: [EventStore.notificationChannel], logger: database.logger)
                let runner = ProjectionRunner(
                    projectors: AccordProjections.all, store: store, listener: listener, pollInterval: .milliseconds(100), logger: database.logger)
                let harness = ServerHarness(
                    database: database, store: store, handler: handler,
                    reactor: Reactor(store: store, cache: cache, listener: nil, logger: database.logger),
                    server: server, inbox: inbox, secrets: secrets, acme: acme, globex: globex, acmeKey: acmeKey, globexKey: globexKey)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await listener.run() }
                    group.addTask { try await runner.run() }
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

    /// Lets the reactor handle everything written so far, then waits for every projection to catch up.
    func settle() async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            try await reactor.processPending()
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
            if names.count == AccordProjections.all.count, try await covered(projections: names) { return }
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
                        WHERE c.projection = \(name) AND (e.txid, e.global_position) <= (c.txid, c.global_position)
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

/// A client with helpers for JSON, API keys, forms and cookies.
struct TestClient: Sendable {
    let client: any TestClientProtocol

    func request(
        _ method: HTTPRequest.Method, _ uri: String, key: String? = nil, json: String? = nil, headers: HTTPFields = [:], body: String? = nil
    ) async throws -> TestResponse {
        var headers = headers
        if let key { headers[.authorization] = "Bearer \(key)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: (json ?? body).map { ByteBuffer(string: $0) })
    }

    func get(_ uri: String, key: String? = nil, cookie: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await request(.get, uri, key: key, headers: headers)
    }

    func post(_ uri: String, key: String? = nil, json: String? = nil) async throws -> TestResponse {
        try await request(.post, uri, key: key, json: json)
    }

    /// Posts a form (with the session cookie, when given).
    func postForm(_ uri: String, _ fields: [(String, String)], cookie: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await request(.post, uri, headers: headers, body: body)
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Logs in with an API key; returns the session cookie (`name=value`).
    func login(_ key: String) async throws -> String {
        let response = try await postForm("/login", [("api_key", key)])
        #expect(response.status == .seeOther)
        let setCookie = try #require(response.headers[.setCookie])
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.contains("SameSite=Strict"))
        return String(setCookie.split(separator: ";")[0])
    }
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body decoded as JSON.
    func json() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    /// The body decoded as a JSON array.
    func jsonArray() throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], "not a JSON array: \(text)")
    }

    /// `error.code` of an error answer.
    var errorCode: String? { ((try? json())?["error"] as? [String: Any])?["code"] as? String }

    /// `error.message` of an error answer.
    var errorMessage: String? { ((try? json())?["error"] as? [String: Any])?["message"] as? String }

    /// The anti-forgery token of the first form on the page.
    var csrfToken: String? {
        guard let range = text.range(of: #"name="_csrf" value=""#) else { return nil }
        let rest = text[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
