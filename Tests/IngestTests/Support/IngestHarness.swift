import Connectors
import EventStore
import Foundation
import Ingest
import Logging
import PGClient
import PostgresTestSupport
import SyncDomain
import SyncEngine
import Synchronization
import Testing

/// A migrated database with one tenant (`acme`) and a command handler on it — and nothing else: no projection
/// runner, no reactor, like a database where `accord serve` has never run.
struct IngestHarness: Sendable {
    let database: TestDatabase
    let pool: PGConnectionPool
    let store: EventStore
    let handler: CommandHandler
    let tenant: TenantID

    static func run(_ body: (IngestHarness) async throws -> Void) async throws {
        try await TestDatabase.with { database in
            try await database.withPool(maxConnections: 6) { pool in
                let store = EventStore(pool: pool, logger: database.logger)
                let tenant = try await database.addTenant("acme", pool: pool)
                let handler = CommandHandler(store: store, cache: TenantStateCache(store: store), logger: database.logger)
                try await body(IngestHarness(database: database, pool: pool, store: store, handler: handler, tenant: tenant))
            }
        }
    }

    /// Every event of the tenant, decoded, in order.
    func events() async throws -> [SyncEvent] {
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query("SELECT type, schema_version, data FROM events ORDER BY global_position").decode((String, Int, PGJSON).self)
        }
        return try rows.map { try SyncEvent.decode(type: $0.0, schemaVersion: $0.1, data: Data($0.2.text.utf8)) }
    }

    /// The customers recorded as deleted, in order.
    func deletions() async throws -> [CustomerRef] {
        try await events().compactMap { if case .customerDeleted(let e) = $0 { e.customer } else { nil } }
    }

    /// The observations of Stripe customers, in order.
    func stripeObservationEvents() async throws -> [CustomerObserved] {
        try await events().compactMap { if case .customerObserved(let e) = $0, e.customer.system == .stripe { e } else { nil } }
    }
}

/// A ``ReadRetry`` that records the waits it asks for instead of sleeping.
final class RecordedWaits: Sendable {
    private let waits = Mutex<[Duration]>([])

    var all: [Duration] { waits.withLock { $0 } }

    func retry(policy: RetryPolicy = .exponentialJitter(base: 1, multiplier: 2, maxDelay: 60, maxAttempts: 4), maxRateLimitWaits: Int = 120)
        -> ReadRetry
    {
        ReadRetry(policy: policy, maxRateLimitWaits: maxRateLimitWaits) { [self] wait in record(wait) }
    }

    private func record(_ wait: Duration) { waits.withLock { $0.append(wait) } }
}

/// A test prerequisite that is missing: the test fails with this message (never skipped).
struct MissingPrerequisite: Error, CustomStringConvertible {
    var description: String
}

/// The localstripe started by `ops/test.sh` (`STRIPE_API_BASE`), shared by every test: tests use unique data.
enum LocalStripe {
    static func configuration() throws -> StripeConfiguration {
        guard let base = ProcessInfo.processInfo.environment["STRIPE_API_BASE"], !base.isEmpty else {
            throw MissingPrerequisite(description: "STRIPE_API_BASE is not set: run the tests with `bash ops/test.sh` (it starts localstripe)")
        }
        return StripeConfiguration(apiBase: base, secretKey: "sk_test_accord_ingest", timeout: .seconds(20))
    }

    static func client() throws -> StripeClient { StripeClient(configuration: try configuration()) }

    static func uniqueEmail(_ label: String) -> String { "\(label)-\(UUID().uuidString.lowercased().prefix(12))@ingest.test" }
}
