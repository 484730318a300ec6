import DequeModule

/// The pure bookkeeping of a connection pool: idle connections, how many exist, who waits.
///
/// It performs no IO; each event returns the action the pool must carry out. This keeps the
/// concurrency rules (at most `maxConnections`, one task per connection, first come first served,
/// no waiter stranded when a connection breaks) testable without a database.
struct PoolStateMachine<Connection: AnyObject> {
    /// What a task asking for a connection must do.
    enum LeaseAction {
        /// Use this idle connection.
        case use(Connection)
        /// Open a new connection (a slot was reserved for it).
        case create
        /// Wait; the waiter was queued and will get a ``Grant``.
        case wait
        /// The pool is shut down.
        case shutdown
    }

    /// What a queued waiter is eventually given.
    enum Grant {
        /// A connection to use.
        case connection(Connection)
        /// A reserved slot: open a new connection yourself.
        case create
    }

    /// What the pool must do after a connection comes back.
    enum ReleaseAction {
        /// Nothing: the connection went back to the idle list.
        case none
        /// Close this connection.
        case close(Connection)
        /// Hand the connection to a waiter.
        case grant(waiter: Int, Grant)
        /// Close the broken connection and let a waiter open a new one in its slot.
        case closeAndGrant(Connection, waiter: Int)
    }

    let maxConnections: Int
    private(set) var idle: [Connection] = []
    /// Connections that exist or are being opened (idle + leased + opening).
    private(set) var open = 0
    private(set) var waiters: Deque<Int> = []
    private(set) var isShutdown = false

    init(maxConnections: Int) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.maxConnections = maxConnections
    }

    /// A task asks for a connection. Idle connections are reused newest first (they are warm).
    mutating func lease(waiter id: Int) -> LeaseAction {
        if isShutdown { return .shutdown }
        if let connection = idle.popLast() { return .use(connection) }
        if open < maxConnections {
            open += 1
            return .create
        }
        waiters.append(id)
        return .wait
    }

    /// Opening a connection (for a `.create` action or grant) failed; its slot is freed.
    /// - Returns: a waiter that should now try to open one in the freed slot, if any.
    mutating func creationFailed() -> Int? {
        open -= 1
        guard !isShutdown, let next = waiters.popFirst() else { return nil }
        open += 1
        return next
    }

    /// A task gives its connection back; `reusable` is false if it is broken or still inside a transaction.
    mutating func release(_ connection: Connection, reusable: Bool) -> ReleaseAction {
        if isShutdown || !reusable {
            if !isShutdown, let next = waiters.popFirst() {
                return .closeAndGrant(connection, waiter: next)
            }
            open -= 1
            return .close(connection)
        }
        if let next = waiters.popFirst() {
            return .grant(waiter: next, .connection(connection))
        }
        idle.append(connection)
        return .none
    }

    /// A waiting task gave up (cancelled or timed out).
    /// - Returns: true if it was still queued (so it must be resumed with an error), false if it was already granted.
    mutating func cancelWaiter(_ id: Int) -> Bool {
        guard let index = waiters.firstIndex(of: id) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// The pool shuts down: no new leases; idle connections are to be closed and waiters failed.
    mutating func shutdown() -> (idle: [Connection], waiters: [Int]) {
        isShutdown = true
        let closing = idle
        open -= idle.count
        idle.removeAll()
        let failing = Array(waiters)
        waiters.removeAll()
        return (closing, failing)
    }

    /// True once shut down and every leased connection has come back.
    var isDrained: Bool { isShutdown && open == 0 }
}
