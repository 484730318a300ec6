import Testing

@testable import PGClient

/// The pool's rules, without a database: at most N connections, reuse, FIFO waiters, no stranded waiter.
@Suite("pool state machine")
struct PoolStateMachineTests {
    final class Connection {}

    @Test("opens up to the maximum, then queues waiters in order")
    func capacityAndQueue() {
        var machine = PoolStateMachine<Connection>(maxConnections: 2)
        guard case .create = machine.lease(waiter: 1), case .create = machine.lease(waiter: 2) else {
            Issue.record("the first two leases should open connections")
            return
        }
        guard case .wait = machine.lease(waiter: 3), case .wait = machine.lease(waiter: 4) else {
            Issue.record("leases beyond the maximum should wait")
            return
        }
        #expect(machine.open == 2)
        let first = Connection()
        guard case .grant(let waiter, .connection(let granted)) = machine.release(first, reusable: true) else {
            Issue.record("a released connection should go to the first waiter")
            return
        }
        #expect(waiter == 3)
        #expect(granted === first)
        #expect(Array(machine.waiters) == [4])
    }

    @Test("an idle connection is reused before a new one is opened")
    func reuse() {
        var machine = PoolStateMachine<Connection>(maxConnections: 3)
        _ = machine.lease(waiter: 1)
        let connection = Connection()
        guard case .none = machine.release(connection, reusable: true) else {
            Issue.record("with no waiter the connection should go idle")
            return
        }
        guard case .use(let reused) = machine.lease(waiter: 2) else {
            Issue.record("the idle connection should be reused")
            return
        }
        #expect(reused === connection)
        #expect(machine.open == 1)
    }

    @Test("a broken connection frees its slot for the next waiter to open a new one")
    func brokenConnectionHandsSlotToWaiter() {
        var machine = PoolStateMachine<Connection>(maxConnections: 1)
        _ = machine.lease(waiter: 1)
        _ = machine.lease(waiter: 2)
        let broken = Connection()
        guard case .closeAndGrant(let closed, let waiter) = machine.release(broken, reusable: false) else {
            Issue.record("a broken connection should be closed and its slot granted")
            return
        }
        #expect(closed === broken)
        #expect(waiter == 2)
        #expect(machine.open == 1)
    }

    @Test("a failed open lets the next waiter try, and never exceeds the maximum")
    func failedCreation() {
        var machine = PoolStateMachine<Connection>(maxConnections: 1)
        _ = machine.lease(waiter: 1)
        _ = machine.lease(waiter: 2)
        let next = machine.creationFailed()
        #expect(next == 2)
        #expect(machine.open == 1)
        let none = machine.creationFailed()
        #expect(none == nil)
        #expect(machine.open == 0)
    }

    @Test("a cancelled waiter leaves the queue; a granted one is not cancelled")
    func cancellation() {
        var machine = PoolStateMachine<Connection>(maxConnections: 1)
        _ = machine.lease(waiter: 1)
        _ = machine.lease(waiter: 2)
        _ = machine.lease(waiter: 3)
        let cancelled = machine.cancelWaiter(2)
        let cancelledAgain = machine.cancelWaiter(2)
        #expect(cancelled)
        #expect(!cancelledAgain)
        #expect(Array(machine.waiters) == [3])
    }

    @Test("shutdown closes idle connections, fails waiters, and drains when leased ones return")
    func shutdown() {
        var machine = PoolStateMachine<Connection>(maxConnections: 2)
        _ = machine.lease(waiter: 1)
        _ = machine.lease(waiter: 2)
        let idle = Connection()
        let leased = Connection()
        _ = machine.release(idle, reusable: true)
        _ = machine.lease(waiter: 3)  // reuses idle
        _ = machine.release(idle, reusable: true)
        let (closing, failing) = machine.shutdown()
        #expect(closing.count == 1)
        #expect(failing.isEmpty)
        #expect(!machine.isDrained)
        guard case .close = machine.release(leased, reusable: true) else {
            Issue.record("after shutdown a returned connection should be closed")
            return
        }
        #expect(machine.isDrained)
        guard case .shutdown = machine.lease(waiter: 4) else {
            Issue.record("no lease after shutdown")
            return
        }
    }
}
