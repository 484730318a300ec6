import Synchronization

/// When a lookup in an in-memory directory finds nothing, it may read the directory again early — but at most once
/// per ``gap`` and never twice at once, so a flood of lookups for made-up names costs at most one query per gap.
public final class MissRefreshGate: Sendable {
    private struct State {
        var lastRefresh: ContinuousClock.Instant?
        var refreshing = false
    }

    /// The least time between two refreshes a miss causes.
    public let gap: Duration
    private let state = Mutex(State())

    /// Makes a gate.
    public init(gap: Duration = .seconds(1)) { self.gap = gap }

    /// Runs `refresh` when no refresh ran within ``gap`` and none is running.
    /// - Returns: whether it ran.
    public func refreshIfDue(_ refresh: () async throws -> Void) async throws -> Bool {
        let now = ContinuousClock.now
        let due = state.withLock { state -> Bool in
            guard !state.refreshing, state.lastRefresh.map({ now - $0 >= gap }) ?? true else { return false }
            state.refreshing = true
            return true
        }
        guard due else { return false }
        defer { state.withLock { $0.refreshing = false } }
        try await refresh()
        return true
    }

    /// How long until a miss may refresh again (a short wait while a refresh is running).
    public var untilDue: Duration {
        let now = ContinuousClock.now
        return state.withLock { state in
            if state.refreshing { return .milliseconds(20) }
            guard let last = state.lastRefresh else { return .zero }
            return max(.zero, last + gap - now)
        }
    }

    /// Notes a refresh that happened (by the miss or by a periodic refresh).
    public func refreshed() { state.withLock { $0.lastRefresh = .now } }
}
