import AsyncHTTPClient
import Chaos
import Foundation
import Ingest
import Logging
import NIOCore
import NIOHTTP1
import Outbound
import PGClient
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
    /// Its database sessions' `application_name`.
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

    /// The outbound worker's settings for the tests: fast retries, a generous rate limit.
    static let worker = OutboundWorkerConfiguration(
        maxConcurrentRequests: 8, economicRateLimit: RateLimit(requestsPerSecond: 1000, burst: 200),
        retryPolicy: .exponentialJitter(base: 0.2, multiplier: 2, maxDelay: 2, maxAttempts: 12), pollInterval: .milliseconds(200))

    /// The catch-up from Stripe every five seconds, so a lost webhook is noticed soon, with a 15 s overlap:
    /// localstripe runs on this machine (no clock skew, events listed at once), and a shorter window lists fewer of
    /// the other tests' events.
    static let catchUp = StripeCatchUp.Configuration(interval: .seconds(5), overlap: .seconds(15))

    /// Starts a process and returns once its HTTP server listens and `/ready` says so: every read model is built, so a
    /// test may query them at once (on a busy machine the projection runner creates them seconds after the server
    /// listens, and a read before then finds no table).
    /// - Parameters:
    ///   - environment: where `ACCORD_MASTER_KEY` is read from (the same for every process of a database).
    ///   - name: names its database sessions (`application_name`, by which ``kill(database:)`` finds them) and its
    ///     outbound worker and inbox processor (another process takes over what a killed one held once its claims
    ///     lapse: after 15 s, and the reactor's shard leases after 10 s); nil: `accord`, and the worker id
    ///     `accord serve` uses.
    static func start(database: TestDatabase, environment: [String: String], name: String? = nil) async throws -> AccordProcess {
        var connection = database.configuration
        var worker = Self.worker
        var inbox: InboxProcessor.Configuration?
        if let name {
            connection.applicationName = name
            worker.workerID = name
            worker.claimTTL = .seconds(15)
            inbox = InboxProcessor.Configuration(lease: .seconds(15), holder: name)
        }
        let configuration = AppConfiguration(database: connection, databaseConnections: 16, port: 0)
        let services = try AccordServices(
            configuration: configuration, environment: environment, worker: worker, inbox: inbox, catchUp: catchUp, logger: database.logger)
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        let group = services.serviceGroup(onServerRunning: { port.yield($0) }, handleSignals: false)
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            running.cancel()
            throw CancellationError()
        }
        let process = AccordProcess(services: services, port: bound, applicationName: connection.applicationName, group: group, running: running)
        do {
            try await process.waitUntilReady()
        } catch {
            try? await process.stop()
            throw error
        }
        return process
    }

    /// Polls `/ready` until it answers 200, for at most `timeout`.
    private func waitUntilReady(timeout: Duration = .seconds(180)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var last = "no answer"
        while ContinuousClock.now < deadline {
            do {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/ready"), timeout: .seconds(10))
                last = String(buffer: try await response.body.collect(upTo: 1 << 16))
                if response.status == .ok { return }
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ProcessNotReady(lastAnswer: last)
    }

    /// Shuts the process down gracefully and waits until every service has stopped.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// Dies, as `kill -9` would leave it (``ProcessDeath``): nothing it does from that instant reaches the log; other
    /// processes keep the sessions they have. Needs a process started with a `name`.
    func kill(database: TestDatabase) async throws {
        // From another database: PostgreSQL does not let a session refuse connections to its own.
        let admin = PGConnectionPool(configuration: database.configuration.with(database: "postgres"), maxConnections: 1, logger: database.logger)
        do {
            try await ProcessDeath(admin: admin, database: database.name).kill(sessions: applicationName, group: group, running: running)
        } catch {
            await admin.shutdown()
            throw error
        }
        await admin.shutdown()
    }
}

/// The process a test currently runs (it changes when the test restarts Accord).
final class CurrentProcess: Sendable {
    private let process: Mutex<AccordProcess>

    init(_ process: AccordProcess) { self.process = Mutex(process) }

    var value: AccordProcess { process.withLock { $0 } }

    func replace(with process: AccordProcess) { self.process.withLock { $0 = process } }
}

/// An Accord process whose `/ready` did not say ready in time.
struct ProcessNotReady: Error, CustomStringConvertible {
    let lastAnswer: String
    var description: String { "Accord did not become ready; /ready last answered: \(lastAnswer)" }
}
