import Synchronization

/// Lets concurrent appends of one process share commits: appends that arrive while a transaction of appends is on
/// its way wait, and the next transaction takes all of them.
///
/// A commit costs a WAL flush and a round trip however little it writes; eight writers each committing their own
/// row pay eight, the same eight rows in one transaction pay one. An append that finds nothing running and nobody
/// waiting runs alone on its own task (a lone writer pays no extra hop). Otherwise it queues, and a flusher — a
/// task of its own, started when the queue fills and ending when it is empty — takes everything queued as one
/// transaction, answers each append, and takes the next lot, with no hand-over between transactions. Each append
/// is a unit of its own in the shared transaction: a stale expected version fails that append alone. With more
/// than one flusher allowed, an append that queues while all running flushers are busy starts another.
final class AppendCombiner: Sendable {
    /// One caller's append: several streams of one tenant, all or nothing.
    struct Unit: Sendable {
        var tenant: TenantID
        var appends: [StreamAppend]
    }

    /// Runs one shared transaction and answers each unit, in order.
    typealias Run = @Sendable ([Unit]) async -> [Result<[AppendResult], any Error>]

    private struct Waiter {
        var unit: Unit
        var continuation: CheckedContinuation<Result<[AppendResult], any Error>, Never>
    }

    private struct State {
        var alone = 0
        var flushers = 0
        var waiting: [Waiter] = []
    }

    private let state = Mutex(State())
    private let maxUnits: Int
    private let maxFlushers: Int
    private let run: Run

    /// - Parameters:
    ///   - maxUnits: the most appends one transaction takes (the rest go in the next one).
    ///   - flushers: how many flushers (and so shared transactions) may run at once.
    ///   - run: runs a transaction of units.
    init(maxUnits: Int, flushers: Int = 1, run: @escaping Run) {
        self.maxUnits = maxUnits
        self.maxFlushers = flushers
        self.run = run
    }

    /// How many appends wait for the next transaction (for tests).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Appends `unit`, alone or in the next shared transaction, and returns its result.
    /// - Throws: the unit's own error (a stale expected version, an unknown tenant, …) or its transaction's.
    func append(_ unit: Unit) async throws -> [AppendResult] {
        let alone = state.withLock { state in
            guard state.alone == 0, state.flushers == 0, state.waiting.isEmpty else { return false }
            state.alone += 1
            return true
        }
        if alone {
            // Alone, the append is its caller's to cancel.
            let result = await run([unit])[0]
            state.withLock { $0.alone -= 1 }
            return try result.get()
        }
        return try await withCheckedContinuation { continuation in
            let startsFlusher = state.withLock { state in
                state.waiting.append(Waiter(unit: unit, continuation: continuation))
                guard state.flushers < maxFlushers else { return false }
                state.flushers += 1
                return true
            }
            if startsFlusher {
                // The flusher carries many tasks' appends: no caller's cancellation may reach it.
                Task { await self.flush() }
            }
        }
        .get()
    }

    /// Runs transactions of whatever waits until nothing does.
    private func flush() async {
        while true {
            let batch = state.withLock { state -> [Waiter] in
                let taken = Array(state.waiting.prefix(maxUnits))
                state.waiting.removeFirst(taken.count)
                if taken.isEmpty { state.flushers -= 1 }
                return taken
            }
            guard !batch.isEmpty else { return }
            let results = await run(batch.map(\.unit))
            for (waiter, result) in zip(batch, results) {
                waiter.continuation.resume(returning: result)
            }
        }
    }
}
