public import EventStore
import Foundation
public import Logging
public import ServiceLifecycle
public import SyncDomain

/// Carries each change of mappings to the pairs already linked (``SettingsApplications``): every running application
/// gets one chunk of its tenant's links per round — in link-id order from its cursor, each link decided as the reactor
/// decides an observed customer — so a large tenant's change never holds another tenant's behind it, a person sees it
/// progress and can pause it between two chunks, and a killed process's application goes on from its cursor
/// elsewhere once its lease lapses.
///
/// Decisions derive their ids from the settings change and the link: a chunk done again (the cursor not yet moved when
/// the process died), or a whole application done twice, issues nothing new.
public final class SettingsApplicationService: Service {
    private let reactor: Reactor
    private let cache: TenantStateCache
    private let applications: SettingsApplications
    private let chunkSize: Int
    private let lease: Duration
    private let pollInterval: Duration
    private let logger: Logger
    private let holder = "\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8).lowercased())"

    /// Makes the service.
    /// - Parameters:
    ///   - reactor: decides each linked pair.
    ///   - store: the event store.
    ///   - cache: tenant state shared with the reactor (the links come from it).
    ///   - chunkSize: links decided between two looks at the pause.
    ///   - lease: how long a held application waits after its holder dies.
    ///   - pollInterval: how often to look for applications to work through.
    ///   - logger: receives starts, ends and failures.
    public init(
        reactor: Reactor, store: EventStore, cache: TenantStateCache, chunkSize: Int = 50, lease: Duration = .seconds(30),
        pollInterval: Duration = .milliseconds(500), logger: Logger
    ) {
        precondition(chunkSize >= 1, "chunkSize must be at least 1")
        self.reactor = reactor
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

    /// One round: one chunk of every running application no other worker holds.
    /// - Returns: how many applications moved (a chunk done, or finished).
    /// - Throws: the first failure, once every other application has had its chunk.
    @discardableResult
    public func applyReady() async throws -> Int {
        var moved = 0
        var failure: (any Error)?
        for claim in try await applications.claim(holder: holder, lease: lease, limit: 64) {
            do {
                try await applyChunk(of: claim)
                moved += 1
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

    private func applyChunk(of claim: SettingsApplications.Claim) async throws {
        let links = Self.next(chunkSize, of: try await cache.snapshot(of: claim.tenant).partnering.links.values, after: claim.cursor)
        guard let last = links.last else {
            try await applications.finish(claim, holder: holder)
            logger.info("applied a change of mappings to every linked pair", metadata: ["tenant": "\(claim.tenant)", "change": "\(claim.position)"])
            return
        }
        let (causation, metadata) = Reactor.cause(position: claim.position, correlationID: claim.correlationID)
        for link in links {
            try await reactor.applyMappings(to: link, tenant: claim.tenant, causation: causation, metadata: metadata)
        }
        let state = try await applications.advance(claim, to: last.id.description, applied: links.count, holder: holder)
        if let state, state != .running {
            logger.info("stopped applying a change of mappings", metadata: ["tenant": "\(claim.tenant)", "change": "\(claim.position)", "state": "\(state)"])
        }
    }
}
