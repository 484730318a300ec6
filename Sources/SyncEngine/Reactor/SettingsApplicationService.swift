public import EventStore
import Foundation
public import Logging
import PGClient
import Projections
public import ServiceLifecycle
public import SyncDomain

/// Applies each saved settings change to the customers it concerns (``SettingsApplications``): every running
/// application gets one chunk per round — first the customers whose matching failed, matched again under new match
/// fields (in customer-key order, once the match index has been rebuilt for them), then the pairs already linked, given
/// new mappings and, where a linked Stripe customer does not carry its e-conomic number, the number write-back (in
/// link-id order) — each decided as the reactor decides an observed customer. So a large tenant's
/// change never holds another tenant's behind it, a person sees it progress and can pause it between two chunks, and a
/// killed process's application goes on from its cursor elsewhere once its lease lapses.
///
/// Decisions derive their ids from the settings change and the customer: a chunk done again (the cursor not yet moved
/// when the process died), or a whole application done twice, issues nothing new.
public final class SettingsApplicationService: Service {
    private let reactor: Reactor
    private let store: EventStore
    private let cache: TenantStateCache
    private let applications: SettingsApplications
    private let chunkSize: Int
    private let lease: Duration
    private let pollInterval: Duration
    private let logger: Logger
    private let holder = "\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8).lowercased())"

    /// Makes the service.
    /// - Parameters:
    ///   - reactor: decides each customer.
    ///   - store: the event store.
    ///   - cache: tenant state shared with the reactor (the links come from it).
    ///   - chunkSize: customers or links decided between two looks at the pause.
    ///   - lease: how long a held application waits after its holder dies.
    ///   - pollInterval: how often to look for applications to work through.
    ///   - logger: receives starts, ends and failures.
    public init(
        reactor: Reactor, store: EventStore, cache: TenantStateCache, chunkSize: Int = 50, lease: Duration = .seconds(30),
        pollInterval: Duration = .milliseconds(500), logger: Logger
    ) {
        precondition(chunkSize >= 1, "chunkSize must be at least 1")
        self.reactor = reactor
        self.store = store
        self.cache = cache
        self.applications = SettingsApplications(store: store)
        self.chunkSize = chunkSize
        self.lease = lease
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Polls until cancelled or gracefully shut down; a failing chunk is tried again after a backoff from its cursor.
    public func run() async throws {
        let follower = Follower(
            listener: nil, configuration: .init(pollInterval: pollInterval, rereadWindow: .zero), logger: logger,
            failureMessage: "applying a change of mappings failed; retrying")
        await cancelWhenGracefulShutdown { await follower.run { try await self.applyReady() > 0 ? .worked : .idle() } }
    }

    /// One round: one chunk of every running application no other worker holds (an application whose failures wait for
    /// the match index's rebuild, or for the customers read model to reach the change, is given back untouched).
    /// - Returns: how many applications moved (a chunk done, a phase ended, or finished).
    /// - Throws: the first failure, once every other application has had its chunk.
    @discardableResult
    public func applyReady() async throws -> Int {
        var moved = 0
        var failure: (any Error)?
        for claim in try await applications.claim(holder: holder, lease: lease, limit: 64) {
            do {
                let chunk = claim.phase == .failures ? try await matchFailuresAgain(claim) : try await applyMappings(claim)
                if chunk { moved += 1 } else { try await applications.release(claim, holder: holder) }
            } catch {
                try? await applications.release(claim, holder: holder)
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return moved
    }

    /// Works through every running application to its end (for tests and one-shot commands).
    /// - Returns: how many chunks were done.
    @discardableResult
    public func applyAll() async throws -> Int {
        var rounds = 0
        while true {
            let moved = try await applyReady()
            if moved == 0 { return rounds }
            rounds += moved
        }
    }

    /// The first `count` running links after `cursor`, in link-id order, in one pass that keeps only the smallest ids
    /// seen (sorting every link of the tenant for each chunk made an application O(n² log n) in its links).
    public static func next(_ count: Int, of links: some Sequence<PartnerLink>, after cursor: String?) -> [PartnerLink] {
        var chosen: [(id: String, link: PartnerLink)] = []
        chosen.reserveCapacity(count + 1)
        for link in links where !link.isStopped {
            let id = link.id.description
            if let cursor, id <= cursor { continue }
            if chosen.count == count, let last = chosen.last, id >= last.id { continue }
            var low = 0
            var high = chosen.count
            while low < high {
                let middle = (low + high) / 2
                if chosen[middle].id < id { low = middle + 1 } else { high = middle }
            }
            chosen.insert((id, link), at: low)
            if chosen.count > count { chosen.removeLast() }
        }
        return chosen.map(\.link)
    }

    /// One chunk of the failures phase. Returns false (nothing done) while matching waits for the match index's rebuild
    /// or the customers read model has not applied the change yet.
    private func matchFailuresAgain(_ claim: SettingsApplications.Claim) async throws -> Bool {
        guard try await readyToMatch(claim) else { return false }
        let (failures, total) = try await CustomerQueries(pool: store.pool).matchFailures(
            claim.tenant, after: claim.cursor.flatMap(CustomerRef.init(parsing:)), limit: chunkSize, counting: claim.failures == nil)
        if let total { try await applications.count(claim, failures: total, holder: holder) }
        guard let last = failures.last else {
            try await applications.endFailures(claim, holder: holder)
            logger.info(
                "matched again every customer whose matching had failed", metadata: ["tenant": "\(claim.tenant)", "change": "\(claim.position)"])
            return true
        }
        let (causation, metadata) = Reactor.cause(position: claim.position, correlationID: claim.correlationID)
        for customer in failures {
            // Held: the match fields changed again meanwhile; that change supersedes this one and takes its failures over.
            if try await reactor.reconsider(customer, tenant: claim.tenant, causation: causation, metadata: metadata) { return false }
        }
        try await advance(claim, to: last.description, applied: failures.count)
        return true
    }

    /// Whether failures can be matched again: the match index has been rebuilt for the tenant's match fields, and the
    /// customers read model (where the failures are listed) has applied everything up to the change.
    private func readyToMatch(_ claim: SettingsApplications.Claim) async throws -> Bool {
        let (cache, store) = (self.cache, self.store)
        let (held, change) = try await store.pool.withTransaction(scope: .tenant(claim.tenant)) { connection in
            (
                try await MatchingHold.isHeld(try await cache.snapshot(of: claim.tenant, on: connection), tenant: claim.tenant, on: connection),
                try await store.checkpoint(atPosition: claim.position, of: claim.tenant, on: connection)
            )
        }
        guard !held, let change else { return false }
        return try await ProjectionProgress(store: store).haveReached([CustomersProjector().name], change)
    }

    /// One chunk of the links phase.
    private func applyMappings(_ claim: SettingsApplications.Claim) async throws -> Bool {
        let links = Self.next(chunkSize, of: try await cache.snapshot(of: claim.tenant).partnering.links.values, after: claim.cursor)
        guard let last = links.last else {
            try await applications.finish(claim, holder: holder)
            logger.info("applied a change of mappings to every linked pair", metadata: ["tenant": "\(claim.tenant)", "change": "\(claim.position)"])
            return true
        }
        let (causation, metadata) = Reactor.cause(position: claim.position, correlationID: claim.correlationID)
        for link in links {
            _ = try await reactor.reconsider(link.source, tenant: claim.tenant, causation: causation, metadata: metadata, writingBackNumber: true)
        }
        try await advance(claim, to: last.id.description, applied: links.count)
        return true
    }

    private func advance(_ claim: SettingsApplications.Claim, to cursor: String, applied: Int) async throws {
        let state = try await applications.advance(claim, to: cursor, applied: applied, holder: holder)
        if let state, state != .running {
            logger.info("stopped applying a settings change", metadata: ["tenant": "\(claim.tenant)", "change": "\(claim.position)", "state": "\(state)"])
        }
    }
}
