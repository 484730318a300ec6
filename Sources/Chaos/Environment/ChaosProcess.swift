import Foundation
import Ingest
import Logging
import Outbound
import PGClient
import Runtime
import ServiceLifecycle
import SyncDomain

/// One Accord process — the runtime's whole service group, as `accord serve` runs it — inside the run's process.
///
/// It can stop gracefully, or die: ``kill(database:)`` leaves what `kill -9` leaves behind (``ProcessDeath``). Its HTTP
/// calls already on the wire may still arrive, as they would.
final class ChaosProcess: Sendable {
    let services: AccordServices
    /// Where its HTTP server listens (for the Stripe webhook).
    let port: Int
    /// Its sessions' `application_name`, by which a kill finds them.
    let applicationName: String
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    private init(services: AccordServices, port: Int, applicationName: String, group: ServiceGroup, running: Task<Void, any Error>) {
        self.services = services
        self.port = port
        self.applicationName = applicationName
        self.group = group
        self.running = running
    }

    /// The worker's settings: fast retries (12 attempts), a generous rate limit, claims that lapse soon when a new
    /// worker id has to take them over.
    static func worker(id: String) -> OutboundWorkerConfiguration {
        OutboundWorkerConfiguration(
            workerID: id, maxConcurrentRequests: 8, economicRateLimit: RateLimit(requestsPerSecond: 1000, burst: 200),
            retryPolicy: .exponentialJitter(base: 0.2, multiplier: 2, maxDelay: 2, maxAttempts: 12), claimTTL: .seconds(20),
            pollInterval: .milliseconds(200), economicTimeout: .seconds(8), stripeTimeout: .seconds(8))
    }

    /// Starts a process on `database` and returns once its HTTP server listens.
    /// - Parameters:
    ///   - generation: counts the run's processes (names its database sessions).
    ///   - workerID: the outbound worker's id (the same id after a crash takes its claims over at once).
    ///   - environment: where `ACCORD_MASTER_KEY` is read from.
    static func start(
        database: ChaosDatabase, generation: Int, workerID: String, environment: [String: String], logger: Logger
    ) async throws -> ChaosProcess {
        let applicationName = "chaos-\(database.name.suffix(20))-\(generation)"
        var connection = database.configuration
        connection.applicationName = applicationName
        let configuration = AppConfiguration(
            database: connection, databaseConnections: 12, port: 0, logLevel: logger.logLevel, stripeCatchUpInterval: .seconds(5),
            economicPollInterval: .seconds(1))
        let services = try AccordServices(
            configuration: configuration, environment: environment, worker: worker(id: workerID),
            catchUp: StripeCatchUp.Configuration(interval: .seconds(5), overlap: .seconds(15)), logger: logger)
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        let group = services.serviceGroup(onServerRunning: { port.yield($0) }, handleSignals: false)
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            running.cancel()
            throw CancellationError()
        }
        return ChaosProcess(services: services, port: bound, applicationName: applicationName, group: group, running: running)
    }

    /// Shuts down gracefully and waits until every service has stopped.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// Dies (``ProcessDeath``): refused by the database and its sessions ended; then its services are shut down.
    /// Returns once they have ended.
    func kill(database: ChaosDatabase) async throws {
        try await database.death.kill(sessions: applicationName, group: group, running: running)
    }
}
