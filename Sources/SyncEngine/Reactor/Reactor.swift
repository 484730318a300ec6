import EventSourcing
public import EventStore
import Foundation
public import Logging
public import PGClient
import Projections
public import ServiceLifecycle
import SyncDomain
import Synchronization

/// The sync policy at work: follows the event log and issues what the tenant's rules call for, so that
/// customers are linked, created and kept in agreement without a person.
///
/// - A customer observed (or included again, or a restarted link): excluded → nothing; linked → the three-way
///   field sync (updates requested, conflicts recorded); not linked → matched by the tenant's match fields
///   (linked, or a visible match failure), or created with the tenant's defaults when the policy is automatic.
/// - A partner created in e-conomic: linked, and its number written back to Stripe when configured.
///
/// The work is cut by tenant (decisions of different tenants never touch the same streams): tenants are spread over
/// shards, each shard is leased to one reactor task at a time across every process (``ReactorShards``), and within a
/// shard's turn each tenant with something to decide gets one batch of its own events, read on the tenant's index,
/// so one tenant's backlog never holds another's decisions behind it (``turn(of:holder:)``).
///
/// Decisions are made on the streams' current state with the versions appended, and keyed by the causing
/// event (request and link ids are derived from it), so processing an event twice — after a crash between
/// appending and saving the checkpoint, which is saved once per turn — issues nothing new. Before a batch, it
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
    let cache: TenantStateCache
    private let listener: PGListener?
    let batchSize: Int
    private let pollInterval: Duration
    private let gather: Duration
    let logger: Logger
    let customers: CustomerStates
    let runner: DecisionRunner
    let shards: ReactorShards
    /// Whether runs of observations are decided together (``decideTogether(_:)``), or every event on its own.
    let decidesInBatches: Bool
    /// Where the time goes (``ReactorMetrics``).
    let metrics: ReactorMetrics
    /// Events decided in batches so far (the rest went one at a time).
    let decidedTogether = Atomic<Int>(0)
    /// Each tenant's partnering as its batches fold it forward, while it has a backlog.
    let working = WorkingPartnering()
    /// When a round last moved the checkpoints of shards with nothing to decide (``round(holder:)``).
    let shardsAdvanced = Mutex<ContinuousClock.Instant?>(nil)
    /// This instance's name in the shard leases (each task adds its number).
    let instance = "\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8).lowercased())"

    /// Makes a reactor.
    /// - Parameters:
    ///   - store: the event store.
    ///   - cache: tenant state shared with the command handler.
    ///   - listener: a listener on ``EventStore/notificationChannel`` (nil: poll only).
    ///   - batchSize: events of one tenant read and decided per turn.
    ///   - pollInterval: the longest wait without a notification.
    ///   - gather: the least time between a round and the next one a notification starts (see
    ///     ``EventStore/Follower/Configuration/gather``): on a busy log a round decides what arrived meanwhile in
    ///     batches, instead of a round of leases and checkpoints per append.
    ///   - sharding: how many shards and tasks, how long a lease lasts and how long a turn goes on.
    ///   - decidesInBatches: false decides every event on its own, the path a batch falls back to (the benchmark's
    ///     baseline).
    ///   - metrics: where the time of each step is recorded.
    ///   - logger: receives decisions at debug level and failures at error level.
    public init(
        store: EventStore, cache: TenantStateCache, listener: PGListener?, batchSize: Int = 100, pollInterval: Duration = .seconds(1),
        gather: Duration = .milliseconds(50), sharding: ReactorSharding = ReactorSharding(), decidesInBatches: Bool = true,
        metrics: ReactorMetrics = .none, logger: Logger
    ) {
        self.decidesInBatches = decidesInBatches
        self.metrics = metrics
        self.store = store
        self.cache = cache
        self.listener = listener
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.gather = gather
        self.logger = logger
        self.customers = CustomerStates(store: store)
        // Request ids derive from the event that called for them: a request stream that exists proves its cause decided.
        self.runner = DecisionRunner(store: store, derivesFromCause: { StreamName(rawValue: $0.rawValue).isOutbound }, logger: logger)
        self.shards = ReactorShards(store: store, sharding: sharding)
    }

    /// Runs the process's reactor tasks until cancelled or gracefully shut down; each follows the log shard by shard.
    /// A failing event is retried with backoff, never skipped.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for task in 0..<self.shards.sharding.tasks {
                    group.addTask { await self.follow(holder: "\(self.instance)/\(task)") }
                }
            }
        }
    }

    private func follow(holder: String) async {
        let follower = Follower(
            listener: listener, configuration: .init(pollInterval: pollInterval, gather: gather), logger: logger,
            failureMessage: "reactor turn failed; retrying")
        await follower.run { try await round(holder: holder).handled == 0 ? .idle() : .worked }
    }

    /// How many events each tenant has that the reactor has not handled — after the tenant's furthest checkpoint (its
    /// own, its shard's or the low-water mark), counted up to `limit` —, for the operations metrics; tenants with none
    /// are left out.
    /// - Parameter connection: a transaction in the system scope.
    public static func tenantsBehind(countingUpTo limit: Int, on connection: PGConnection) async throws -> [(tenant: String, events: Int)] {
        try await ReactorShards.tenantsBehind(countingUpTo: limit, on: connection)
    }

    /// How many events this reactor has decided in batches (``decideTogether(_:)``) since it started, for tests and
    /// benchmarks; the others were decided one at a time.
    public var eventsDecidedTogether: Int { decidedTogether.load(ordering: .relaxed) }

    /// Handles everything readable now, round by round (for tests and one-shot commands); a shard another task holds
    /// is waited for (its lease is given back after its turn, or lapses).
    /// - Returns: the number of events handled.
    /// - Throws: the first failure (the checkpoints stay before the failing event).
    @discardableResult
    public func processPending() async throws -> Int {
        var total = 0
        while true {
            let round = try await round(holder: "\(instance)/pending")
            total += round.handled
            if round.handled == 0 {
                if !round.busy { return total }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    // MARK: Reacting

    /// Decides what one event calls for and appends it; an event whose decision is held is parked instead.
    /// - Returns: whether the decision is held.
    @discardableResult
    func handle(_ recorded: RecordedEvent) async throws -> Bool {
        let event = try DomainEvent(recorded)
        let tenant = recorded.tenant
        let (causation, metadata) = Self.cause(recorded)
        if case .settingsChanged(let changed) = event.event {
            if changed.matchFieldsChanged || changed.mappingsChanged || changed.numberWriteBackChanged {
                try await beginApplying(changed, recorded, metadata: metadata)
            }
            return false
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

    /// Records a settings change for ``SettingsApplicationService`` to apply to existing customers — matching again
    /// the ones whose matching failed (a change of match fields), carrying the mappings and the number write-back to
    /// the pairs already linked (a change of mappings, or of which number linked Stripe customers carry) — outside the tenant's turn (a tenant with thousands of them would hold its shard's other
    /// tenants behind it), with progress a person can follow and pause.
    private func beginApplying(_ change: SettingsChanged, _ recorded: RecordedEvent, metadata: EventMetadata) async throws {
        let links = try await cache.snapshot(of: recorded.tenant).partnering.links.values.filter { !$0.isStopped }.count
        try await SettingsApplications(store: store).begin(
            recorded, correlationID: metadata.correlationID ?? UUID(), total: links, failures: change.matchFieldsChanged,
            links: change.mappingsChanged || change.numberWriteBackChanged)
        logger.info(
            "recorded a settings change to apply to existing customers",
            metadata: [
                "tenant": "\(recorded.tenant)", "links": "\(links)", "match_fields": "\(change.matchFieldsChanged)",
                "mappings": "\(change.mappingsChanged)", "number_write_back": "\(change.numberWriteBackChanged)",
            ])
    }

    /// Decides one existing customer again under the tenant's current settings, as if it had just been observed: an
    /// unlinked one is matched (or created, or fails) under the current match fields; a linked pair gets the current
    /// mappings (a newly mapped field is carried to the side that lacks it, or raises a conflict) and, with
    /// `writingBackNumber`, a linked Stripe customer that does not carry its e-conomic number yet gets it written back
    /// (``SyncDomain/PartneringDecider/numberWriteBack(source:economic:link:sourceFields:settings:requestId:)``). Ids derive
    /// from `causation` (the settings change) and the customer, so doing it again issues nothing new.
    /// - Returns: whether the decision is held (matching waits for a rebuild of the match index).
    func reconsider(
        _ customer: CustomerRef, tenant: TenantID, causation: UUID, metadata: EventMetadata, writingBackNumber: Bool = false
    ) async throws -> Bool {
        try await runner.run(tenant: tenant) { _ in
            try await react(
                to: customer, observed: nil, position: nil, tenant: tenant, causation: causation, metadata: metadata,
                writingBackNumber: writingBackNumber)
        }.output
    }

    /// The policy for one customer, on the current state of its stream (an observation replays the latest state).
    /// Everything the decision needs is read in one transaction: partnering and settings, the customer (and its
    /// partner), the hold, and the match candidates. The output says whether the decision is held.
    func react(
        to customer: CustomerRef, observed: CustomerObserved?, position: Int64?, tenant: TenantID, causation: UUID, metadata: EventMetadata,
        writingBackNumber: Bool = false
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
        let (snapshot, states) = (read.snapshot, read.states)
        let decision = Self.policy(
            for: customer, observed: observed, causation: causation, settings: snapshot.settings.effective, partnering: snapshot.partnering,
            states: states, candidates: read.candidates, matchingHeld: read.matchingHeld)
        logger.debug("decided", metadata: ["customer": "\(customer)", "outcome": "\(decision.outcome)", "event.count": "\(decision.events.count)"])
        var events = decision.events
        if writingBackNumber, let link = snapshot.partnering.link(of: customer), !link.isStopped, let state = states[link.source]?.state {
            events += PartneringDecider.numberWriteBack(
                source: link.source, economic: link.economic, link: link.id, sourceFields: state.fields, settings: snapshot.settings.effective,
                requestId: .derived(from: causation, purpose: "number-write-back:\(link.id)"))
        }
        var versions: [StreamName: Int64] = [.partners: snapshot.partneringVersion]
        for (ref, loaded) in states { versions[.customer(ref)] = loaded.version }
        return try Decision(events, basedOn: versions, metadata: metadata, output: decision.outcome == .matchingHeld)
    }

    /// The sync policy for one customer on state already read (pure): the per-event path and the batches decide alike.
    static func policy(
        for customer: CustomerRef, observed: CustomerObserved?, causation: UUID, settings: TenantSettings, partnering: PartneringState,
        states: [CustomerRef: (state: CustomerState, version: Int64)], candidates: [MatchKey: [MatchCandidate]], matchingHeld: Bool
    ) -> SyncDecision {
        // Facts of the customers the decision looks at only (a batch's states hold every customer of the batch).
        let context = SyncContext(
            settings: settings, partnering: partnering, customer: states[customer]!.state,
            customerFacts: { states[$0].flatMap { CustomerFacts($0.state) } },
            lookup: { candidates[$0] ?? [] }, matchingHeld: matchingHeld)
        return SyncPolicy.decide(
            observed: observed ?? CustomerObserved(customer: customer, fields: states[customer]!.state.fields), causationId: causation,
            context: context)
    }

    /// The causation id an event's decisions derive their ids from, and the metadata they are stored with.
    static func cause(_ recorded: RecordedEvent) -> (UUID, EventMetadata) {
        cause(position: recorded.globalPosition, correlationID: (try? recorded.decodedMetadata())?.correlationID)
    }

    /// The causation id and metadata of decisions caused by the event at `position` (its correlation id, if it had one).
    static func cause(position: Int64, correlationID: UUID?) -> (UUID, EventMetadata) {
        let causation = NameBasedUUID.make(namespace: namespace, name: "event/\(position)")
        return (causation, EventMetadata(actor: "system:reactor", correlationID: correlationID ?? causation, causationPosition: position))
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
            guard let involved = Self.involved(in: succeeded, partnering: snapshot.partnering) else { return nil }
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
