import Synchronization

/// Lets concurrent writes of one process share commits: writes that arrive while a transaction of writes is on its
/// way wait, and the next transaction takes all of them.
///
/// A commit costs a WAL flush and a round trip however little it writes; eight writers each committing their own
/// row pay eight, the same eight rows in one transaction pay one — and a pool of a few connections keeps up with many
/// more writers, however long each of them waits for its turn on a busy machine. A write that finds nothing running
/// and nobody waiting runs alone on its own task (a lone writer pays no extra hop). Otherwise it queues, and a
/// flusher — a task of its own, started when the queue fills and ending when it is empty — takes everything queued as
/// one transaction, answers each write, and takes the next lot, with no hand-over between transactions. ``Run``
/// answers each unit on its own: one unit's failure (a stale expected version, a row the database refuses) is that
/// unit's alone. With more than one flusher allowed, a write that queues while all running flushers are busy starts
/// another.
///
/// The event store's appends (``AppendUnit``) and the webhook inbox's deliveries share commits this way.
public final class CommitCombiner<Unit: Sendable, Answer: Sendable>: Sendable {
    /// Runs one shared transaction and answers each unit, in order.
    public typealias Run = @Sendable ([Unit]) async -> [Result<Answer, any Error>]

    private struct Waiter {
        var unit: Unit
        var continuation: CheckedContinuation<Result<Answer, any Error>, Never>
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

    /// Makes a combiner.
    /// - Parameters:
    ///   - maxUnits: the most writes one transaction takes (the rest go in the next one).
    ///   - flushers: how many flushers (and so shared transactions) may run at once.
    ///   - run: runs a transaction of units.
    public init(maxUnits: Int, flushers: Int = 1, run: @escaping Run) {
        self.maxUnits = max(1, maxUnits)
        self.maxFlushers = max(1, flushers)
        self.run = run
    }

    /// How many writes wait for the next transaction (for tests).
    public var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Writes `unit`, alone or in the next shared transaction, and returns its answer.
    /// - Throws: the unit's own error or its transaction's.
    public func submit(_ unit: Unit) async throws -> Answer {
        let alone = state.withLock { state in
            guard state.alone == 0, state.flushers == 0, state.waiting.isEmpty else { return false }
            state.alone += 1
            return true
        }
        if alone {
            // Alone, the write is its caller's to cancel.
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
                // The flusher carries many tasks' writes: no caller's cancellation may reach it.
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

/// One caller's append: several streams of one tenant, all or nothing.
struct AppendUnit: Sendable {
    var tenant: TenantID
    var appends: [StreamAppend]
}

/// The event store's appends sharing commits.
typealias AppendCombiner = CommitCombiner<AppendUnit, [AppendResult]>
