public import Logging
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// A pool of libpq connections that runs every blocking call on its own threads.
///
/// - At most ``maxConnections`` connections exist; they are opened lazily and reused.
/// - A leased connection serves one task at a time; it goes back to the pool when the closure returns,
///   or is closed if it is broken or was left inside a transaction.
/// - The pool owns an `NIOThreadPool` with one thread per connection, so a statement blocked on a lock can
///   never starve the statement that would release it, and nothing blocks the cooperative pool or an event loop.
/// - As a `Service`, ``run()`` enforces lease timeouts and, on graceful shutdown, closes every connection
///   once it is returned. Without a service group, call ``shutdown()`` when done.
public final class PGConnectionPool: Service, Sendable {
    /// Where connections go.
    public let configuration: PGConfiguration
    /// The most connections the pool opens.
    public let maxConnections: Int
    private let leaseTimeout: Duration
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let state: Mutex<State>

    private typealias Machine = PoolStateMachine<PGConnection>

    private struct State {
        var machine: Machine
        var waiting: [Int: Waiter] = [:]
        var nextWaiterID = 0
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private struct Waiter {
        let continuation: CheckedContinuation<Machine.Grant, any Error>
        let deadline: ContinuousClock.Instant
    }

    /// Makes a pool; no connection is opened until the first lease.
    /// - Parameters:
    ///   - configuration: where to connect.
    ///   - maxConnections: the most connections to open (and threads to run them on).
    ///   - leaseTimeout: how long a task waits for a free connection before ``PGError/Code/poolTimeout``
    ///     (enforced while ``run()`` runs).
    ///   - logger: receives connection events at debug level.
    public init(configuration: PGConfiguration, maxConnections: Int = 8, leaseTimeout: Duration = .seconds(30), logger: Logger) {
        self.configuration = configuration
        self.maxConnections = maxConnections
        self.leaseTimeout = leaseTimeout
        self.logger = logger
        self.threadPool = NIOThreadPool(numberOfThreads: maxConnections)
        self.threadPool.start()
        self.state = Mutex(State(machine: Machine(maxConnections: maxConnections)))
    }

    /// How the pool is used right now: connections open and leased, open and idle, and tasks waiting for one.
    public var usage: (inUse: Int, idle: Int, waiting: Int) {
        state.withLock { state in
            (state.machine.open - state.machine.idle.count, state.machine.idle.count, state.machine.waiters.count)
        }
    }

    /// Leases a connection for the duration of `body`.
    /// - Throws: ``PGError`` (`connectionFailed`, `poolShutdown`, `poolTimeout`), `CancellationError`, or `body`'s error.
    @discardableResult
    public func withConnection<Result>(_ body: (PGConnection) async throws -> Result) async throws -> Result {
        let connection = try await lease()
        defer { release(connection) }
        return try await body(connection)
    }

    /// Leases a connection and runs `body` in a transaction on it (commit on return, rollback on throw).
    /// - Throws: as ``withConnection(_:)`` and ``PGConnection/withTransaction(isolation:readOnly:prelude:_:)``.
    @discardableResult
    public func withTransaction<Result>(
        isolation: PGIsolationLevel = .readCommitted,
        readOnly: Bool = false,
        prelude: [PGQuery] = [],
        _ body: (PGConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.withTransaction(isolation: isolation, readOnly: readOnly, prelude: prelude, body)
        }
    }

    /// Enforces lease timeouts until graceful shutdown or cancellation, then shuts the pool down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                self.expireWaiters(now: .now)
            }
        }
        await shutdown()
    }

    /// Stops leasing, fails waiting tasks, closes idle connections, waits for leased ones to come back
    /// (they are closed then), and stops the threads. Safe to call more than once.
    public func shutdown() async {
        let (idle, waiters) = state.withLock { state -> ([PGConnection], [Waiter]) in
            let (idle, ids) = state.machine.shutdown()
            let waiters = ids.compactMap { state.waiting.removeValue(forKey: $0) }
            return (idle, waiters)
        }
        idle.forEach { $0.close() }
        waiters.forEach { $0.continuation.resume(throwing: PGError(code: .poolShutdown, message: "the pool is shutting down")) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let drained = state.withLock { state in
                if state.machine.isDrained { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if drained { continuation.resume() }
        }
        try? await threadPool.shutdownGracefully()
    }

    // MARK: Leasing

    private func lease() async throws -> PGConnection {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let deadline = ContinuousClock.now.advanced(by: leaseTimeout)
        let grant = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Machine.Grant, any Error>) in
                let action = state.withLock { state -> Machine.LeaseAction in
                    let action = state.machine.lease(waiter: id)
                    if case .wait = action {
                        state.waiting[id] = Waiter(continuation: continuation, deadline: deadline)
                    }
                    return action
                }
                switch action {
                case .use(let connection): continuation.resume(returning: .connection(connection))
                case .create: continuation.resume(returning: .create)
                case .shutdown: continuation.resume(throwing: PGError(code: .poolShutdown, message: "the pool is shut down"))
                case .wait:
                    // The task may have been cancelled before it was queued; its handler found nothing then.
                    if Task.isCancelled { cancelWaiter(id, with: CancellationError()) }
                }
            }
        } onCancel: {
            cancelWaiter(id, with: CancellationError())
        }
        switch grant {
        case .connection(let connection):
            return connection
        case .create:
            return try await open()
        }
    }

    private func open() async throws -> PGConnection {
        do {
            return try await PGConnection.connect(configuration: configuration, threadPool: threadPool, logger: logger)
        } catch {
            let next = state.withLock { state -> Waiter? in
                state.machine.creationFailed().flatMap { state.waiting.removeValue(forKey: $0) }
            }
            next?.continuation.resume(returning: .create)
            signalIfDrained()
            throw error
        }
    }

    private func release(_ connection: PGConnection) {
        let reusable = connection.isIdle
        if !reusable {
            logger.debug("discarding a connection that is broken or inside a transaction", metadata: ["db.connection.id": "\(connection.id)"])
        }
        let (action, waiter) = state.withLock { state -> (Machine.ReleaseAction, Waiter?) in
            let action = state.machine.release(connection, reusable: reusable)
            switch action {
            case .grant(let id, _), .closeAndGrant(_, let id): return (action, state.waiting.removeValue(forKey: id))
            case .none, .close: return (action, nil)
            }
        }
        switch action {
        case .none:
            break
        case .close(let connection):
            connection.close()
            signalIfDrained()
        case .grant(_, let grant):
            waiter?.continuation.resume(returning: grant)
        case .closeAndGrant(let connection, _):
            connection.close()
            waiter?.continuation.resume(returning: .create)
        }
    }

    private func cancelWaiter(_ id: Int, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            state.machine.cancelWaiter(id) ? state.waiting.removeValue(forKey: id) : nil
        }
        waiter?.continuation.resume(throwing: error)
    }

    private func expireWaiters(now: ContinuousClock.Instant) {
        let expired = state.withLock { state in state.waiting.filter { $0.value.deadline <= now }.map(\.key) }
        for id in expired {
            cancelWaiter(id, with: PGError(code: .poolTimeout, message: "no connection became free within \(leaseTimeout)"))
        }
    }

    private func signalIfDrained() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.machine.isDrained else { return [] }
            defer { state.drainWaiters.removeAll() }
            return state.drainWaiters
        }
        waiters.forEach { $0.resume() }
    }
}
