import EventStore
import Foundation

/// Which tenants the e-conomic poller reads next, and when — pure (time comes in as data), so the turns are tested
/// without a clock or a network.
///
/// Every tenant has its own cadence: it is due `interval` after its last read ended (at once when never read), and
/// the due tenants start in turn, the one that has waited longest first, as long as fewer than `maxConcurrent` reads
/// are running. A tenant whose e-conomic is slow or failing holds one of those places until its read ends (each call
/// has its timeout, each retry its limit) while the other places keep turning; it is never started twice at once,
/// and it never delays another tenant's read by more than the turn it takes.
struct PollSchedule: Sendable {
    /// A read to start.
    struct Start: Sendable, Hashable {
        /// Whose customers.
        var tenant: TenantID
        /// Everything (and deletions), or only what changed after `since`.
        var full: Bool
        /// The newest `lastUpdated` seen so far; nil for a full read.
        var since: Date?
    }

    struct TenantState: Sendable {
        var reading = false
        var lastEnded: ContinuousClock.Instant?
        var lastFullRead: ContinuousClock.Instant?
        var newest: Date?
    }

    /// The time between the end of a tenant's read and the start of its next.
    let interval: Duration
    /// The time between a tenant's full reads.
    let fullReadInterval: Duration
    /// Reads running at once, all tenants together.
    let maxConcurrent: Int
    private(set) var tenants: [TenantID] = []
    private(set) var states: [TenantID: TenantState] = [:]

    /// Makes an empty schedule.
    init(interval: Duration, fullReadInterval: Duration, maxConcurrent: Int) {
        precondition(maxConcurrent >= 1, "maxConcurrent must be at least 1")
        self.interval = interval
        self.fullReadInterval = fullReadInterval
        self.maxConcurrent = maxConcurrent
    }

    /// The tenants to poll from now on, in the order of their connections; a tenant no longer listed is not started
    /// again (a read of it that is running ends on its own), one listed again keeps what it knew.
    mutating func update(tenants: [TenantID]) {
        var seen = Set<TenantID>()
        self.tenants = tenants.filter { seen.insert($0).inserted }
    }

    /// Reads running now.
    var reading: Int { states.values.filter(\.reading).count }

    /// The reads to start now: due tenants that are not being read, longest waiting first (never-read tenants first,
    /// in list order), as many as there are free places. They count as running until ``finished(_:at:newest:succeeded:)``.
    mutating func start(now: ContinuousClock.Instant) -> [Start] {
        let free = maxConcurrent - reading
        guard free > 0 else { return [] }
        let due = tenants.enumerated().compactMap { position, tenant -> (TenantID, ContinuousClock.Instant?, Int)? in
            let state = states[tenant] ?? TenantState()
            guard !state.reading else { return nil }
            guard let ended = state.lastEnded else { return (tenant, nil, position) }
            return now >= ended + interval ? (tenant, ended, position) : nil
        }
        let chosen = due.sorted { a, b in
            switch (a.1, b.1) {
            case (nil, nil): a.2 < b.2
            case (nil, _): true
            case (_, nil): false
            case (let x?, let y?): x == y ? a.2 < b.2 : x < y
            }
        }.prefix(free)
        return chosen.map { tenant, _, _ in
            var state = states[tenant] ?? TenantState()
            state.reading = true
            states[tenant] = state
            let full = state.lastFullRead.map { now - $0 >= fullReadInterval } ?? true
            return Start(tenant: tenant, full: full, since: full ? nil : state.newest)
        }
    }

    /// Records the end of a read started by ``start(now:)``.
    /// - Parameters:
    ///   - newest: the newest `lastUpdated` the read saw (a failed read: nil, and the next read starts from the same
    ///     point; a failed full read is tried again in full).
    ///   - succeeded: whether the read completed.
    mutating func finished(_ start: Start, at now: ContinuousClock.Instant, newest: Date?, succeeded: Bool) {
        var state = states[start.tenant] ?? TenantState()
        state.reading = false
        state.lastEnded = now
        if succeeded {
            if start.full { state.lastFullRead = now }
            if let newest, newest > (state.newest ?? .distantPast) { state.newest = newest }
        }
        states[start.tenant] = state
    }

    /// When the next tenant falls due (`now` for one never read); nil when every place is taken (a read that ends
    /// frees one) or no tenant waits.
    func nextDue(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard reading < maxConcurrent else { return nil }
        return tenants.compactMap { tenant -> ContinuousClock.Instant? in
            let state = states[tenant] ?? TenantState()
            guard !state.reading else { return nil }
            return state.lastEnded.map { $0 + interval } ?? now
        }.min()
    }
}
