public import EventStore
public import Logging
import Projections
public import ServiceLifecycle

/// Decides what the reactor held: once a tenant's matching is no longer held (``MatchingHold``: its match index has
/// been rebuilt for its new match fields), the events parked meanwhile are handled exactly as the reactor handles
/// them, oldest first, and released.
///
/// It runs beside the reactor (the reactor's checkpoints move on past parked events, so one tenant's rebuild never
/// stalls the others). Both decide on fresh stream state with the streams' versions, keyed by the causing
/// event: a customer decided by both, or decided again after a crash, is created or linked once.
public final class HeldDecisionService: Service {
    private let reactor: Reactor
    private let store: EventStore
    private let cache: TenantStateCache
    private let held: HeldDecisions
    private let pollInterval: Duration
    private let batchSize: Int
    private let logger: Logger

    /// Makes the service.
    /// - Parameters:
    ///   - reactor: decides each held event.
    ///   - store: the event store.
    ///   - cache: tenant state shared with the reactor.
    ///   - pollInterval: how often to look for tenants whose hold has ended.
    ///   - batchSize: held events read at a time.
    ///   - logger: receives how many decisions were resumed, and failures.
    public init(
        reactor: Reactor, store: EventStore, cache: TenantStateCache, pollInterval: Duration = .seconds(1), batchSize: Int = 100, logger: Logger
    ) {
        self.reactor = reactor
        self.store = store
        self.cache = cache
        self.held = HeldDecisions(store: store)
        self.pollInterval = pollInterval
        self.batchSize = batchSize
        self.logger = logger
    }

    /// Polls until cancelled or gracefully shut down (no doorbell: a rebuild's end appends no event). A failing
    /// decision stays parked and is tried again after a backoff.
    public func run() async throws {
        let follower = Follower(
            listener: nil, configuration: .init(pollInterval: pollInterval, rereadWindow: .zero), logger: logger,
            failureMessage: "resuming held decisions failed; retrying")
        await cancelWhenGracefulShutdown { await follower.run { try await self.resumeReady() > 0 ? .worked : .idle() } }
    }

    /// Decides the parked events of every tenant whose matching is no longer held (for tests and one-shot commands).
    /// - Returns: how many were decided.
    /// - Throws: the first failure, once every other tenant has been tried (the failing event and the ones after it
    ///   stay parked; one tenant's failure never keeps another's decisions waiting).
    @discardableResult
    public func resumeReady() async throws -> Int {
        var decided = 0
        var failure: (any Error)?
        for tenant in try await held.tenants() {
            do {
                let count = try await resume(tenant)
                if count > 0 { logger.info("decided held events", metadata: ["tenant": "\(tenant)", "count": "\(count)"]) }
                decided += count
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return decided
    }

    private func resume(_ tenant: TenantID) async throws -> Int {
        let cache = self.cache
        var decided = 0
        while true {
            let holding = try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
                try await MatchingHold.isHeld(try await cache.snapshot(of: tenant, on: connection), tenant: tenant, on: connection)
            }
            if holding { return decided }
            let events = try await held.events(of: tenant, limit: batchSize)
            guard let newest = events.map(\.checkpoint).max() else { return decided }
            // Matching looks customers up in the index: it must have applied everything before each event.
            try await ProjectionProgress(store: store).waitUntil([MatchingHold.index], reached: newest)
            for recorded in events {
                // Held again (the match fields changed once more): it stays parked for the next rebuild.
                if try await reactor.handle(recorded) { return decided }
                try await held.release(recorded)
                decided += 1
            }
        }
    }
}
