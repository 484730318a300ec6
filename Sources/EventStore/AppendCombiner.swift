import Synchronization

/// Lets concurrent appends of one process share commits: while one transaction of appends is on its way to the
/// database, the appends that arrive wait, and the next transaction takes all of them.
///
/// A commit costs a WAL flush and a round trip however little it writes; eight writers each committing their own
/// row pay eight, the same eight rows in one transaction pay one. A few transactions (`maxInFlight`) run at a
/// time: an append that finds fewer running leads one (alone, it runs on its own task, so a lone writer pays no
/// extra hop); an append that finds them all running queues. When a transaction ends, the leader hands each queued append
/// that rode along its own result and, if more arrived meanwhile, makes the first of them the next leader — so no
/// writer serves others forever. Each append is a unit of its own in the shared transaction (see
/// `events_append_units`): a stale expected version fails that append alone.
final class AppendCombiner: Sendable {
    /// One caller's append: several streams of one tenant, all or nothing.
    struct Unit: Sendable {
        var tenant: TenantID
        var appends: [StreamAppend]
    }

    /// Runs one shared transaction and answers each unit, in order.
    typealias Run = @Sendable ([Unit]) async -> [Result<[AppendResult], any Error>]

    private enum Turn: Sendable {
        case finished(Result<[AppendResult], any Error>)
        case lead
    }

    private struct Waiter {
        var unit: Unit
        var continuation: CheckedContinuation<Turn, Never>
    }

    private struct State {
        var leaders = 0
        var waiting: [Waiter] = []
    }

    private let state = Mutex(State())
    private let maxUnits: Int
    private let maxInFlight: Int
    private let run: Run

    /// - Parameters:
    ///   - maxUnits: the most appends one transaction takes (the rest wait for the next one).
    ///   - maxInFlight: how many transactions may run at once.
    ///   - run: runs a transaction of units.
    init(maxUnits: Int, maxInFlight: Int = 1, run: @escaping Run) {
        self.maxUnits = maxUnits
        self.maxInFlight = maxInFlight
        self.run = run
    }

    /// How many appends wait for the next transaction (for tests).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Appends `unit` in the next shared transaction and returns its result.
    /// - Throws: the unit's own error (a stale expected version, an unknown tenant, …) or the transaction's.
    func append(_ unit: Unit) async throws -> [AppendResult] {
        let leads = state.withLock { state in
            guard state.leaders < maxInFlight else { return false }
            state.leaders += 1
            return true
        }
        if leads { return try await lead(with: unit) }
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let leadsNow = state.withLock { state in
                guard state.leaders < maxInFlight else {
                    state.waiting.append(Waiter(unit: unit, continuation: continuation))
                    return false
                }
                state.leaders += 1
                return true
            }
            if leadsNow { continuation.resume(returning: .lead) }
        }
        switch turn {
        case .finished(let result): return try result.get()
        case .lead: return try await lead(with: unit)
        }
    }

    /// Runs one transaction with `own` and whatever waits, answers the riders, and passes the lead on.
    private func lead(with own: Unit) async throws -> [AppendResult] {
        let riders = state.withLock { state in
            let taken = Array(state.waiting.prefix(maxUnits - 1))
            state.waiting.removeFirst(taken.count)
            return taken
        }
        let units = [own] + riders.map(\.unit)
        // A transaction that carries other tasks' appends runs in a task of its own, which the leader's
        // cancellation does not reach; alone, the append is the leader's to cancel.
        let results = riders.isEmpty ? await run(units) : await Task { [run] in await run(units) }.value
        for (rider, result) in zip(riders, results.dropFirst()) {
            rider.continuation.resume(returning: .finished(result))
        }
        let next = state.withLock { state -> Waiter? in
            guard !state.waiting.isEmpty else {
                state.leaders -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.continuation.resume(returning: .lead)
        return try results[0].get()
    }
}
