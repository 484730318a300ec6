import EventSourcing
public import EventStore
import Foundation
public import Logging
public import PGClient
import Projections
public import ServiceLifecycle
import SyncDomain

/// The sync policy at work: follows the event log and issues what the tenant's rules call for, so that
/// customers are linked, created and kept in agreement without a person.
///
/// - A customer observed (or included again, or a restarted link): excluded → nothing; linked → the three-way
///   field sync (updates requested, conflicts recorded); not linked → matched by the tenant's match fields
///   (linked, or a visible match failure), or created with the tenant's defaults when the policy is automatic.
/// - A partner created in e-conomic: linked, and its number written back to Stripe when configured.
///
/// Decisions are made on the streams' current state with the versions appended, and keyed by the causing
/// event (request and link ids are derived from it), so processing an event twice — after a crash between
/// appending and saving the checkpoint, which is saved once per batch — issues nothing new. Before a batch, it
/// waits until the match index has applied everything up to the batch's last event, so a customer observed
/// earlier is never missed. While a tenant's match index is rebuilt after a change of its match fields, matching
/// and creating wait (``MatchingHold``): the event is parked and decided once the rebuild is done.
public final class Reactor: Service {
    /// The reactor's checkpoint name.
    public static let checkpointName = "reactor"

    /// The event types the reactor acts on.
    static let types: Set<String> = [
        CustomerObserved.typeName, CustomerIncluded.typeName, SyncRestarted.typeName, OutboundSucceeded.typeName, SettingsChanged.typeName,
    ]

    let store: EventStore
    private let cache: TenantStateCache
    private let listener: PGListener?
    private let batchSize: Int
    private let pollInterval: Duration
    let logger: Logger
    private let customers: CustomerStates
    let runner: DecisionRunner

    /// Makes a reactor.
    /// - Parameters:
    ///   - store: the event store.
    ///   - cache: tenant state shared with the command handler.
    ///   - listener: a listener on ``EventStore/notificationChannel`` (nil: poll only).
    ///   - batchSize: events read per batch.
    ///   - pollInterval: the longest wait without a notification.
    ///   - logger: receives decisions at debug level and failures at error level.
    public init(
        store: EventStore, cache: TenantStateCache, listener: PGListener?, batchSize: Int = 100, pollInterval: Duration = .seconds(1),
        logger: Logger
    ) {
        self.store = store
        self.cache = cache
        self.listener = listener
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.logger = logger
        self.customers = CustomerStates(store: store)
        self.runner = DecisionRunner(store: store, logger: logger)
    }

    /// Follows the log until cancelled or gracefully shut down. A failing event is retried with backoff, never skipped.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.follow() }
    }

    private func follow() async {
        let follower = Follower(
            listener: listener, configuration: .init(pollInterval: pollInterval), logger: logger, failureMessage: "reactor batch failed; retrying")
        await follower.run { try await processBatch() == 0 ? .idle() : .worked }
    }

    /// Handles everything readable now, batch by batch (for tests and one-shot commands).
    /// - Returns: the number of events handled.
    /// - Throws: the first failure (the checkpoint stays before the failing event).
    @discardableResult
    public func processPending() async throws -> Int {
        var total = 0
        while true {
            let handled = try await processBatch()
            total += handled
            if handled < batchSize { return total }
        }
    }

    /// One batch: read, handle each event in order, save the checkpoint.
    private func processBatch() async throws -> Int {
        let (checkpoint, batch) = try await store.pool.withTransaction(scope: .system) { connection in
            let checkpoint = try await store.loadCheckpoint(projection: Self.checkpointName, version: 1, on: connection)
            return (checkpoint, try await store.readForwardBatch(after: checkpoint, limit: batchSize, types: Self.types, on: connection))
        }
        // Matching looks customers up in the match index: it must have applied everything up to the batch's end.
        if let last = batch.events.last {
            try await ProjectionProgress(store: store).waitUntil([MatchIndexProjector().name], reached: last.checkpoint)
        }
        // One checkpoint per batch: a crash before it re-handles the batch, which issues nothing new (decisions
        // are keyed by their causing event). A failing event keeps the checkpoint just before it.
        var handled: Checkpoint?
        do {
            for recorded in batch.events {
                try await handle(recorded)
                handled = recorded.checkpoint
            }
        } catch {
            if let handled { try? await save(handled) }
            throw error
        }
        let end = max(batch.readUpTo, handled ?? checkpoint)
        if end > checkpoint { try await save(end) }
        return batch.events.count
    }

    private func save(_ checkpoint: Checkpoint) async throws {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await store.saveCheckpoint(checkpoint, projection: Self.checkpointName, version: 1, on: connection)
        }
    }

    // MARK: Reacting

    /// Decides what one event calls for and appends it; an event whose decision is held is parked instead.
    /// - Returns: whether the decision is held.
    @discardableResult
    func handle(_ recorded: RecordedEvent) async throws -> Bool {
        let event = try DomainEvent(recorded)
        let tenant = recorded.tenant
        let causation = NameBasedUUID.make(namespace: Self.namespace, name: "event/\(recorded.globalPosition)")
        let stored = try? recorded.decodedMetadata()
        let metadata = EventMetadata(
            actor: "system:reactor", correlationID: stored?.correlationID ?? causation, causationPosition: recorded.globalPosition)
        if case .settingsChanged(let changed) = event.event {
            if changed.mappingsChanged { try await resynchronizeLinks(of: tenant, causation: causation, metadata: metadata) }
            guard changed.matchFieldsChanged, try await rematchFailures(after: recorded, causation: causation, metadata: metadata) else {
                return false
            }
            try await HeldDecisions(store: store).hold(recorded)
            return true
        }
        // Decided on fresh state on every attempt: another writer's change to the same streams makes it decide again.
        let decided = try await runner.run(tenant: tenant) { _ -> Decision<Bool> in
            switch event.event {
            case .customerObserved(let observed):
                return try await react(
                    to: observed.customer, observed: observed, position: recorded.globalPosition, tenant: tenant, causation: causation,
                    metadata: metadata)
            case .customerIncluded(let included):
                return try await react(
                    to: included.customer, observed: nil, position: recorded.globalPosition, tenant: tenant, causation: causation, metadata: metadata)
            case .syncRestarted(let restarted):
                guard let link = try await cache.snapshot(of: tenant).partnering.links[restarted.linkId] else { return Decision(output: false) }
                return try await react(
                    to: link.source, observed: nil, position: recorded.globalPosition, tenant: tenant, causation: causation, metadata: metadata)
            case .outboundSucceeded(let succeeded):
                return try await react(to: succeeded, tenant: tenant, causation: causation, metadata: metadata)
            default:
                return Decision(output: false)
            }
        }
        if decided.output { try await HeldDecisions(store: store).hold(recorded) }
        return decided.output
    }

    /// Applies changed mappings to the pairs already linked: each link is synchronised as if its source customer had
    /// just been observed, so a newly mapped field is carried to the side that lacks it (or raises a conflict) and an
    /// unmapped one is left alone — nothing waits for the next edit of either customer. Request ids derive from the
    /// settings change and the link, so handling the change again (after a crash) issues nothing new.
    private func resynchronizeLinks(of tenant: TenantID, causation: UUID, metadata: EventMetadata) async throws {
        let links = try await cache.snapshot(of: tenant).partnering.links.values.filter { !$0.isStopped }.sorted {
            $0.id.description < $1.id.description
        }
        for link in links {
            _ = try await runner.run(tenant: tenant) { _ in
                try await react(to: link.source, observed: nil, position: nil, tenant: tenant, causation: causation, metadata: metadata)
            }
        }
        logger.info("applied changed mappings to the linked pairs", metadata: ["tenant": "\(tenant)", "links": "\(links.count)"])
    }

    /// The policy for one customer, on the current state of its stream (an observation replays the latest state).
    /// Everything the decision needs is read in one transaction: partnering and settings, the customer (and its
    /// partner), the hold, and the match candidates. The output says whether the decision is held.
    func react(
        to customer: CustomerRef, observed: CustomerObserved?, position: Int64?, tenant: TenantID, causation: UUID, metadata: EventMetadata
    ) async throws -> Decision<Bool> {
        let (cache, customers) = (self.cache, self.customers)
        let read = try await store.pool.withTransaction(scope: .tenant(tenant)) { connection -> DecisionInputs? in
            let snapshot = try await cache.snapshot(of: tenant, on: connection)
            var involved = [customer]
            if let link = snapshot.partnering.link(of: customer) { involved.append(link.partner(of: customer)!) }
            var states = try await customers.load(involved, tenant: tenant, on: connection)
            let state = states[customer]!.state
            guard state.exists else { return nil }
            var candidates: [MatchKey: [MatchCandidate]] = [:]
            let matching = customer.system.isSource && snapshot.partnering.link(of: customer) == nil && !state.isExcluded && !state.isDeleted
            var held = matching ? try await MatchingHold.isHeld(snapshot, tenant: tenant, on: connection) : false
            if matching, !held, let position {
                held = try await HeldDecisions.hasEarlier(in: .customer(customer), before: position, on: connection)
            }
            if matching, !held {
                // Keys of the customer as observed and as it is now: the policy matches on the observation first.
                var keys = MatchResolver.sourceKeys(state.fields, settings: snapshot.settings.effective)
                if let observed {
                    keys += MatchResolver.sourceKeys(FieldValues.cleaned(observed.fields), settings: snapshot.settings.effective)
                }
                candidates = try await ReadModelQueries.economicCandidates(for: keys, on: connection)
                let refs = Set(candidates.values.joined().compactMap(\.economicCustomer)).subtracting(states.keys)
                states.merge(try await customers.load(Array(refs), tenant: tenant, on: connection)) { current, _ in current }
            }
            return DecisionInputs(snapshot: snapshot, states: states, candidates: candidates, matchingHeld: held)
        }
        guard let read else { return Decision(output: false) }
        let (snapshot, states, found) = (read.snapshot, read.states, read.candidates)
        let facts = Dictionary(uniqueKeysWithValues: states.compactMap { ref, loaded in CustomerFacts(loaded.state).map { (ref, $0) } })
        let context = SyncContext(
            settings: snapshot.settings.effective, partnering: snapshot.partnering, customer: states[customer]!.state, customerFacts: { facts[$0] },
            lookup: { found[$0] ?? [] }, matchingHeld: read.matchingHeld)
        let decision = SyncPolicy.decide(
            observed: observed ?? CustomerObserved(customer: customer, fields: states[customer]!.state.fields), causationId: causation,
            context: context)
        logger.debug("decided", metadata: ["customer": "\(customer)", "outcome": "\(decision.outcome)", "event.count": "\(decision.events.count)"])
        var versions: [StreamName: Int64] = [.partners: snapshot.partneringVersion]
        for (ref, loaded) in states { versions[.customer(ref)] = loaded.version }
        return try Decision(decision.events, basedOn: versions, metadata: metadata, output: decision.outcome == .matchingHeld)
    }

    /// What one decision is made on, read in one transaction.
    private struct DecisionInputs: Sendable {
        var snapshot: TenantStateCache.Snapshot
        var states: [CustomerRef: (state: CustomerState, version: Int64)]
        var candidates: [MatchKey: [MatchCandidate]]
        var matchingHeld = false
    }

    /// A request succeeded: a created partner is linked (and its number written back when the tenant asked for
    /// that); the outcome of a link's open write is settled into the link.
    private func react(to succeeded: OutboundSucceeded, tenant: TenantID, causation: UUID, metadata: EventMetadata) async throws -> Decision<Bool> {
        let (cache, customers) = (self.cache, self.customers)
        // Partnering and the customers the outcome concerns, read in one transaction.
        let read = try await store.pool.withTransaction(scope: .tenant(tenant)) { connection -> DecisionInputs? in
            let snapshot = try await cache.snapshot(of: tenant, on: connection)
            let involved: [CustomerRef]
            if let pending = snapshot.partnering.pendingCreations[succeeded.requestId] {
                involved = [pending.from]
            } else if let (link, _) = snapshot.partnering.link(awaiting: succeeded.requestId) {
                involved = [link.source, link.economic]
            } else {
                return nil
            }
            return DecisionInputs(snapshot: snapshot, states: try await customers.load(involved, tenant: tenant, on: connection), candidates: [:])
        }
        guard let read else { return Decision(output: false) }
        let (snapshot, states) = (read.snapshot, read.states)
        let facts = states.values.compactMap { CustomerFacts($0.state) }
        let decision = SyncPolicy.decide(
            succeeded: succeeded, causationId: causation, partnering: snapshot.partnering, settings: snapshot.settings.effective,
            customerFacts: { ref in facts.first { $0.customer == ref } })
        logger.debug("decided", metadata: ["request": "\(succeeded.requestId)", "outcome": "\(decision.outcome)"])
        var versions: [StreamName: Int64] = [.partners: snapshot.partneringVersion]
        for (ref, loaded) in states { versions[.customer(ref)] = loaded.version }
        return try Decision(decision.events, basedOn: versions, metadata: metadata, output: false)
    }

    /// The namespace of causation ids derived from event positions.
    static let namespace = UUID(uuidString: "0c5d3a84-2f1e-4d0b-9a51-6f1a2c7e9b42")!
}
