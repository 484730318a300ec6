import EventStore
import Foundation
import Logging

/// Reads every connected tenant on its own cadence, a few at a time (``PollSchedule``): the loop the e-conomic poller
/// and the Stripe catch-up share, so that one tenant whose remote side is slow, failing or big holds one place while
/// the others keep their turns.
///
/// Connections are listed again every `interval`; a tenant's next read is due `interval` after its last one ended.
struct TenantTurns<Connection: Sendable>: Sendable {
    /// What a read reports back to the schedule.
    struct Outcome: Sendable {
        /// The newest change the read saw (only the e-conomic poller keeps one).
        var newest: Date?
        /// Whether the read completed.
        var succeeded: Bool
    }

    private enum Event: Sendable {
        case tick
        case finished(PollSchedule.Start, Outcome)
    }

    let interval: Duration
    let fullReadInterval: Duration
    let concurrentTenants: Int
    let logger: Logger
    /// What the listing failure is logged as.
    let listingFailure: Logger.Message

    /// Runs until the task is cancelled.
    /// - Parameters:
    ///   - connections: the tenants to read and how to reach them.
    ///   - read: one tenant's read.
    func run(
        connections: @escaping @Sendable () async throws -> [(tenant: TenantID, connection: Connection)],
        read: @escaping @Sendable (PollSchedule.Start, Connection) async -> Outcome
    ) async {
        var schedule = PollSchedule(interval: interval, fullReadInterval: fullReadInterval, maxConcurrent: concurrentTenants)
        var listed: [TenantID: Connection] = [:]
        var listedAt: ContinuousClock.Instant?
        await withTaskGroup(of: Event.self) { group in
            // One timer at a time: it fires no later than any tenant that falls due meanwhile (a read that ends is due
            // `interval` later, and the timer is never further away than the next listing, at most `interval`).
            var timerRunning = false
            while !Task.isCancelled {
                let now = ContinuousClock.now
                if listedAt.map({ now - $0 >= interval }) ?? true {
                    do {
                        let all = try await connections()
                        listed = Dictionary(all.map { ($0.tenant, $0.connection) }, uniquingKeysWith: { _, last in last })
                        schedule.update(tenants: all.map(\.tenant))
                    } catch {
                        logger.warning(listingFailure, metadata: ["error": "\(error)"])
                    }
                    listedAt = now
                }
                for start in schedule.start(now: now) {
                    guard let connection = listed[start.tenant] else {
                        schedule.finished(start, at: now, newest: nil, succeeded: false)
                        continue
                    }
                    group.addTask { .finished(start, await read(start, connection)) }
                }
                if !timerRunning {
                    let wake = [schedule.nextDue(now: now), listedAt.map { $0 + interval }].compactMap { $0 }.min() ?? now + interval
                    group.addTask {
                        try? await Task.sleep(until: wake, clock: .continuous)
                        return .tick
                    }
                    timerRunning = true
                }
                switch await group.next() {
                case .tick?: timerRunning = false
                case .finished(let start, let outcome)?:
                    schedule.finished(start, at: .now, newest: outcome.newest, succeeded: outcome.succeeded)
                case nil: return
                }
            }
            group.cancelAll()
        }
    }
}
