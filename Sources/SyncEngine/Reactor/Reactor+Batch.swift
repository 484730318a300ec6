import EventSourcing
import EventStore
import Foundation
import Logging
import PGClient
import SyncDomain
import Synchronization

extension Reactor {
    /// Handles a tenant's events in log order: each run of observations and outbound successes is decided together
    /// (``decideTogether(_:)``), everything else — and a run that cannot be decided together — one event at a time
    /// (``handle(_:)``).
    /// - Parameter handled: moved past each event once what it called for is appended (or parked).
    /// - Throws: the first failure; `handled` then stays before the failing event (or the failing run).
    func handle(_ events: [RecordedEvent], handled: inout Checkpoint?) async throws {
        var index = events.startIndex
        while index < events.endIndex {
            var run: [Batched] = []
            while index < events.endIndex, let item = Self.batchable(events[index]) {
                run.append(Batched(recorded: events[index], item: item))
                index += 1
            }
            if decidesInBatches, run.count > 1, try await decideTogether(run) {
                handled = run.last?.recorded.checkpoint
            } else {
                for item in run {
                    try await timed(.oneByOne) { _ = try await handle(item.recorded) }
                    handled = item.recorded.checkpoint
                }
            }
            if index < events.endIndex {
                try await timed(.oneByOne) { _ = try await handle(events[index]) }
                handled = events[index].checkpoint
                index += 1
            }
        }
    }

    /// What a batch decides: a customer observed, or an outbound request's success (a created partner to link, a
    /// link's write to settle).
    enum BatchItem: Sendable {
        case observed(CustomerObserved)
        case succeeded(OutboundSucceeded)
    }

    /// An event of a batch, with the event it came from.
    struct Batched: Sendable {
        var recorded: RecordedEvent
        var item: BatchItem
    }

    /// What a run is decided on, read in one transaction.
    private struct RunInputs: Sendable {
        var snapshot: TenantStateCache.Snapshot
        var states: [CustomerRef: (state: CustomerState, version: Int64)]
        var candidates: [MatchKey: [MatchCandidate]]
    }

    /// Decides a run of one tenant's observations and outbound successes together: one read of everything the run
    /// needs (partnering and settings, every customer of the run and its partner, the customers each success concerns,
    /// the match candidates for every key of the run and their customers), each decision made in memory in the log's
    /// order on the state the earlier ones left (partnering and customer states folded forward: a second customer with
    /// the first one's e-mail finds its pending partner), and one append of all the run's events with the versions
    /// read. Ids still derive from each causing event; each decision is the one the per-event path makes.
    /// - Returns: false when the run must be decided one event at a time instead — matching is held or decisions are
    ///   parked for the tenant (their order matters), a decision needs a customer the read did not load, or another
    ///   writer changed a stream the run appends to (the per-event path decides again on fresh state). Nothing is
    ///   appended then.
    func decideTogether(_ run: [Batched]) async throws -> Bool {
        guard let tenant = run.first?.recorded.tenant else { return true }
        guard var read = try await timed(.inputs, { try await inputs(of: run, tenant: tenant) }) else { return false }
        let deciding = ContinuousClock.now
        let settings = read.snapshot.settings.effective
        // The partnering the previous batch left, when it is at the version read: changed in place. Else the cache's,
        // copied on its first change. Either way the batch keeps no reference to the cache's, which then changes it
        // in place too (``TenantStateCache/advance(_:with:from:)``).
        var partnering = working.take(tenant, at: read.snapshot.partneringVersion) ?? read.snapshot.partnering
        read.snapshot.partnering = .initial
        var states = read.states
        let streams = Dictionary(uniqueKeysWithValues: states.keys.map { (StreamName.customer($0), $0) })
        var decided: [(event: SyncEvent, metadata: EventMetadata)] = []
        for batched in run {
            let (causation, metadata) = Self.cause(batched.recorded)
            let decision: SyncDecision
            switch batched.item {
            case .observed(let observed):
                let customer = observed.customer
                guard let loaded = states[customer], loaded.state.exists else { continue }
                if let partner = partnering.link(of: customer)?.partner(of: customer), states[partner] == nil { return false }
                decision = Self.policy(
                    for: customer, observed: observed, causation: causation, settings: settings, partnering: partnering, states: states,
                    candidates: read.candidates, matchingHeld: false)
                if decision.outcome == .matchingHeld { return false }
            case .succeeded(let succeeded):
                // The facts of exactly the customers the per-event path reads (``involved(in:partnering:)``).
                let involved = Self.involved(in: succeeded, partnering: partnering) ?? []
                if involved.contains(where: { states[$0] == nil }) { return false }
                let facts = involved.compactMap { states[$0].flatMap { CustomerFacts($0.state) } }
                decision = SyncPolicy.decide(
                    succeeded: succeeded, causationId: causation, partnering: partnering, settings: settings,
                    customerFacts: { ref in facts.first { $0.customer == ref } })
            }
            for event in decision.events {
                let stream = event.homeStream
                if stream == .partners {
                    PartneringDecider.evolve(&partnering, event)
                } else if let ref = streams[stream], let current = states[ref] {
                    states[ref] = (CustomerDecider.evolve(current.state, event), current.version)
                }
                decided.append((event, metadata))
            }
        }
        guard !decided.isEmpty else {
            metrics.step(.decide, since: deciding)
            working.keep(partnering, version: read.snapshot.partneringVersion, for: tenant)
            return true
        }
        var versions: [StreamName: Int64] = [.partners: read.snapshot.partneringVersion]
        for (ref, loaded) in read.states { versions[.customer(ref)] = loaded.version }
        let decision = try Decision(decided, basedOn: versions, output: ())
        metrics.step(.decide, since: deciding)
        do {
            _ = try await timed(.append) { try await runner.append(decision, tenant: tenant) }
        } catch let error as EventStoreError where error.code == .concurrencyConflict {
            logger.debug("a batch raced another writer; deciding its events one by one", metadata: ["tenant": "\(tenant)", "events": "\(run.count)"])
            return false
        }
        // The next batch starts from this one's partnering, and the cache folds the batch's events into its own, instead
        // of reading them back and decoding them.
        let partnersEvents = decided.map(\.event).filter { $0.homeStream == .partners }
        working.keep(partnering, version: read.snapshot.partneringVersion + Int64(partnersEvents.count), for: tenant)
        if !partnersEvents.isEmpty { await cache.advance(tenant, with: partnersEvents, from: read.snapshot.partneringVersion) }
        decidedTogether.add(run.count, ordering: .relaxed)
        logger.debug("decided a batch", metadata: ["tenant": "\(tenant)", "events": "\(run.count)", "event.count": "\(decided.count)"])
        return true
    }

    /// Reads what a run needs in one transaction of the tenant's scope; nil when it must be decided event by event.
    private func inputs(of run: [Batched], tenant: TenantID) async throws -> RunInputs? {
        let (cache, customers) = (self.cache, self.customers)
        return try await store.pool.withTransaction(scope: .tenant(tenant)) { connection -> RunInputs? in
            let snapshot = try await cache.snapshot(of: tenant, on: connection)
            if try await MatchingHold.isHeld(snapshot, tenant: tenant, on: connection) { return nil }
            if try await HeldDecisions.count(on: connection) > 0 { return nil }
            var involved: Set<CustomerRef> = []
            for batched in run {
                switch batched.item {
                case .observed(let observed):
                    involved.insert(observed.customer)
                    if let partner = snapshot.partnering.link(of: observed.customer)?.partner(of: observed.customer) { involved.insert(partner) }
                case .succeeded(let succeeded):
                    involved.formUnion(Self.involved(in: succeeded, partnering: snapshot.partnering) ?? [])
                }
            }
            var states = try await customers.load(Array(involved), tenant: tenant, on: connection)
            // Keys of each source customer as observed and as it is now (the policy matches on the observation first);
            // a superset of what the decisions look up, since some are linked by the time they are decided.
            let settings = snapshot.settings.effective
            var keys: Set<MatchKey> = []
            for batched in run {
                guard case .observed(let observed) = batched.item, observed.customer.system.isSource else { continue }
                if let loaded = states[observed.customer] { keys.formUnion(MatchResolver.sourceKeys(loaded.state.fields, settings: settings)) }
                keys.formUnion(MatchResolver.sourceKeys(FieldValues.cleaned(observed.fields), settings: settings))
            }
            let candidates = keys.isEmpty ? [:] : try await ReadModelQueries.economicCandidates(for: keys.sorted(), on: connection)
            let refs = Set(candidates.values.joined().compactMap(\.economicCustomer)).subtracting(states.keys)
            states.merge(try await customers.load(Array(refs), tenant: tenant, on: connection)) { current, _ in current }
            return RunInputs(snapshot: snapshot, states: states, candidates: candidates)
        }
    }

    /// What a batch can decide of an event: an observation or an outbound success this build can read (anything else
    /// takes the per-event path, which reports what cannot be read).
    private static func batchable(_ recorded: RecordedEvent) -> BatchItem? {
        guard recorded.type == CustomerObserved.typeName || recorded.type == OutboundSucceeded.typeName, let event = try? DomainEvent(recorded)
        else { return nil }
        switch event.event {
        case .customerObserved(let observed): return .observed(observed)
        case .outboundSucceeded(let succeeded): return .succeeded(succeeded)
        default: return nil
        }
    }

    /// The customers a success concerns: the one a pending creation was made for, or both of the link awaiting the
    /// request's outcome; nil when the request is neither (nothing to decide).
    static func involved(in succeeded: OutboundSucceeded, partnering: PartneringState) -> [CustomerRef]? {
        if let pending = partnering.pendingCreations[succeeded.requestId] { return [pending.from] }
        if let (link, _) = partnering.link(awaiting: succeeded.requestId) { return [link.source, link.economic] }
        return nil
    }
}
