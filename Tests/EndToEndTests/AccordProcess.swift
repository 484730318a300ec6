import Foundation
import Ingest
import Logging
import Outbound
import PostgresTestSupport
import Runtime
import ServiceLifecycle
import SyncDomain
import Synchronization

/// One Accord process — the runtime's service group, as `accord serve` runs it — on a test database, until it is
/// stopped. A test can stop it and start another on the same database (a restart, or an outage in between).
final class AccordProcess: Sendable {
    let services: AccordServices
    /// The port its HTTP server listens on.
    let port: Int
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    private init(services: AccordServices, port: Int, group: ServiceGroup, running: Task<Void, any Error>) {
        self.services = services
        self.port = port
        self.group = group
        self.running = running
    }

    /// The outbound worker's settings for the tests: fast retries, a generous rate limit.
    static let worker = OutboundWorkerConfiguration(
        maxConcurrentRequests: 8, economicRateLimit: RateLimit(requestsPerSecond: 1000, burst: 200),
        retryPolicy: .exponentialJitter(base: 0.2, multiplier: 2, maxDelay: 2, maxAttempts: 12), pollInterval: .milliseconds(200))

    /// The catch-up from Stripe every five seconds, so a lost webhook is noticed soon, with a 15 s overlap:
    /// localstripe runs on this machine (no clock skew, events listed at once), and a shorter window lists fewer of
    /// the other tests' events.
    static let catchUp = StripeCatchUp.Configuration(interval: .seconds(5), overlap: .seconds(15))

    /// Starts a process and returns once its HTTP server listens.
    /// - Parameter environment: where `ACCORD_MASTER_KEY` is read from (the same for every process of a database).
    static func start(database: TestDatabase, environment: [String: String]) async throws -> AccordProcess {
        let configuration = AppConfiguration(database: database.configuration, databaseConnections: 16, port: 0)
        let services = try AccordServices(
            configuration: configuration, environment: environment, worker: worker, catchUp: catchUp, logger: database.logger)
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        let group = services.serviceGroup(onServerRunning: { port.yield($0) }, handleSignals: false)
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            running.cancel()
            throw CancellationError()
        }
        return AccordProcess(services: services, port: bound, group: group, running: running)
    }

    /// Shuts the process down gracefully and waits until every service has stopped.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

/// The process a test currently runs (it changes when the test restarts Accord).
final class CurrentProcess: Sendable {
    private let process: Mutex<AccordProcess>

    init(_ process: AccordProcess) { self.process = Mutex(process) }

    var value: AccordProcess { process.withLock { $0 } }

    func replace(with process: AccordProcess) { self.process.withLock { $0 = process } }
}
