import Credentials
import EventSourcing
import EventStore
import Foundation
import Logging
import Outbound
import PGClient
import PostgresTestSupport
import Projections
import SandboxTestSupport
import ServiceLifecycle
import SyncDomain
import Testing

/// Short backoffs, a generous rate limit and a long poll interval (so a quick result shows `NOTIFY` woke the worker).
func testConfiguration(
    workerID: String = "test-worker", maxAttempts: Int = 8, maxConcurrent: Int = 8,
    rateLimit: RateLimit = RateLimit(requestsPerSecond: 1000, burst: 1000),
    pollInterval: Duration = .seconds(30), claimTTL: Duration = .seconds(60)
) -> OutboundWorkerConfiguration {
    OutboundWorkerConfiguration(
        workerID: workerID, maxConcurrentRequests: maxConcurrent, economicRateLimit: rateLimit,
        retryPolicy: .exponentialJitter(base: 0.05, multiplier: 2, maxDelay: 0.5, maxAttempts: maxAttempts), claimTTL: claimTTL,
        pollInterval: pollInterval, economicTimeout: .seconds(10), stripeTimeout: .seconds(10))
}

/// Runs the given workers and a listener in a service group for the duration of `body`, then shuts them down
/// gracefully (requests in flight finish and are recorded).
func withWorkers<Result: Sendable>(
    _ configurations: [OutboundWorkerConfiguration], store: EventStore, database: TestDatabase, credentials: CredentialStore, logger: Logger? = nil,
    metrics: OutboundMetrics = .none, _ body: @Sendable ([OutboundWorker]) async throws -> Result
) async throws -> Result {
    let logger = logger ?? database.logger
    let listener = PGListener(configuration: database.configuration, channels: [EventStore.notificationChannel], logger: logger)
    let workers = configurations.map {
        OutboundWorker(store: store, credentials: credentials, listener: listener, configuration: $0, metrics: metrics, logger: logger)
    }
    return try await withServices([listener] + workers.map { $0 as any Service }, logger: logger) { try await body(workers) }
}

/// An e-conomic create as the reactor would request it: mapped payload with defaults, the e-mail as match key.
func createRequest(email: String, name: String, extra: [String: String] = [:]) -> EconomicWriteRequested {
    var payload = ["name": name, "email": email, "currency": "DKK", "customerGroup": "1", "paymentTerms": "1", "vatZone": "1"]
    payload.merge(extra) { $1 }
    return EconomicWriteRequested(
        requestId: RequestID(UUID()), kind: .create, source: .stripe("cus_\(email.hashValue & 0xFFFF)"), payload: payload,
        matchKeys: [MatchKey(kind: .email, raw: email)!], reason: .autoCreate)
}

/// A stable snapshot of one request's stream.
func snapshot(_ id: RequestID, _ tenant: TenantID, _ store: EventStore) async throws -> OutboundStream.Snapshot {
    try await OutboundStream(store: store).load(id, of: tenant)
}

/// Waits until every request's stream reaches a settled status (succeeded or abandoned) and returns the states.
func settle(_ ids: [RequestID], _ tenant: TenantID, _ store: EventStore, timeout: Duration = .seconds(60)) async throws -> [RequestID: OutboundState]
{
    var states: [RequestID: OutboundState] = [:]
    try await eventually("\(ids.count) requests to settle", timeout: timeout) {
        for id in ids where states[id] == nil {
            let state = try await snapshot(id, tenant, store).state
            if state.status == .succeeded || state.status == .abandoned { states[id] = state }
        }
        return states.count == ids.count
    }
    return states
}

/// The events of one type, decoded, across the store.
func events(_ store: EventStore) async throws -> [SyncEvent] {
    try await allDomainEvents(store).map(\.event)
}
