import EventSourcing
import EventStore
import Foundation
import Logging
import PGClient
import SyncDomain
import Synchronization

extension Reactor {
    /// Handles a tenant's events in log order: each run of observations and outbound successes is decided together
    /// (``decideTogether(_:handled:inFlight:)``), everything else — and a run that cannot be decided together — one event
    /// at a time (``handle(_:)``), after the append in flight is settled (``settle(_:handled:)``).
    /// - Parameters:
    ///   - handled: moved past each event once what it called for is stored (or parked).
    ///   - inFlight: the tenant's append still running (from its previous batch, and after this one its last run's).
    /// - Throws: the first failure; `handled` then stays before the failing event (or the failing run).
    func handle(_ events: [RecordedEvent], handled: inout Checkpoint?, inFlight: inout AppendInFlight?) async throws {
        var index = events.startIndex
        while index < events.endIndex {
            var run: [Batched] = []
            while index < events.endIndex, let item = Self.batchable(events[index]) {
                run.append(Batched(recorded: events[index], item: item))
                index += 1
            }
            let together = decidesInBatches && run.count > 1 ? try await decideTogether(run, handled: &handled, inFlight: &inFlight) : false
            if !run.isEmpty, !together {
                try await settle(&inFlight, handled: &handled)
                try await decideOneByOne(run.map(\.recorded), handled: &handled)
            }
            if index < events.endIndex {
                try await settle(&inFlight, handled: &handled)
                try await decideOneByOne([events[index]], handled: &handled)
                index += 1
            }
        }
    }

    /// Waits for the tenant's append in flight. Once stored, its runs count as handled and its partnering is kept for
    /// the tenant's next batch; when it raced another writer (nothing stored), its runs are decided again event by event.
    /// - Returns: whether it was stored as decided (true when none was in flight): a batch decided on its outcome may be
    ///   appended.
    /// - Throws: the append's failure, or a failure deciding its runs again; `handled` then stays before them.
    @discardableResult
    func settle(_ inFlight: inout AppendInFlight?, handled: inout Checkpoint?) async throws -> Bool {
        guard let pending = inFlight.take() else { return true }
        let stored = try await timed(.appendWait) { try await pending.stored.value }
        if stored {
            handled = pending.reaches ?? handled
            if let partnering = pending.partnering, let tenant = pending.runs.first?.first?.recorded.tenant {
                working.keep(partnering, version: pending.partneringVersion, for: tenant)
            }
            return true
        }
        try await decideOneByOne(pending.runs.joined().map(\.recorded), handled: &handled)
        return false
    }

    /// Decides events one at a time (``handle(_:)``), moving `handled` past each.
    private func decideOneByOne(_ events: [RecordedEvent], handled: inout Checkpoint?) async throws {
        for event in events {
            try await timed(.oneByOne) { _ = try await handle(event) }
            handled = event.checkpoint
        }
    }

    /// Waits for the tenant's append in flight when the turn stops short (a failure, a lost lease): its runs count as
    /// handled if it was stored; nothing is decided again (the next turn reads them again).
    func abandon(_ inFlight: inout AppendInFlight?, handled: inout Checkpoint?) async {
        guard let pending = inFlight.take() else { return }
        if (try? await pending.stored.value) == true { handled = pending.reaches ?? handled }
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
    ///
    /// The append is left running (`inFlight`) while the tenant's next run is read and decided; that run is decided on
    /// what this one leaves — its partnering, and the customers it appends to — and appended once this one is stored
    /// (``AppendInFlight``).
    /// - Returns: false when the run must be decided one event at a time instead — matching is held or decisions are
    ///   parked for the tenant (their order matters), a decision needs a customer the read did not load, another writer
    ///   changed the `partners` stream while an append was in flight, or the append in flight raced another writer (its
    ///   runs were then decided again one by one, and this run's decisions were made on an outcome that did not happen).
    ///   Nothing of the run is appended then.
    func decideTogether(_ run: [Batched], handled: inout Checkpoint?, inFlight: inout AppendInFlight?) async throws -> Bool {
        guard let tenant = run.first?.recorded.tenant else { return true }
        guard var read = try await timed(.inputs, { try await inputs(of: run, tenant: tenant) }) else { return false }
        let deciding = ContinuousClock.now
        let settings = read.snapshot.settings.effective
        // The partnering the previous batch left: the one in flight's (read before it was stored, or after it with
        // nothing else appended since), else the one kept at the version read, changed in place; else the cache's,
        // copied on its first change. Either way the batch keeps no reference to the cache's, which then changes it in
        // place too (``TenantStateCache/advance(_:with:from:)``).
        let readVersion = read.snapshot.partneringVersion
        var partnering: PartneringState
        let partneringVersion: Int64
        if let pending = inFlight {
            guard pending.chains(fromPartneringVersion: readVersion), let chained = pending.partnering else { return false }
            inFlight?.partnering = nil
            partnering = chained
            partneringVersion = pending.partneringVersion
            // The customers it appends to, as it leaves them (unless the read already saw them so, or later).
            for (ref, after) in pending.customers where read.states[ref].map({ $0.version < after.version }) == true {
                read.states[ref] = after
            }
        } else {
            partnering = working.take(tenant, at: readVersion) ?? read.snapshot.partnering
            partneringVersion = readVersion
        }
        read.snapshot.partnering = .initial
        var states = read.states
        let streams = Dictionary(uniqueKeysWithValues: states.keys.map { (StreamName.customer($0), $0) })
        var decided: [(event: SyncEvent, metadata: EventMetadata)] = []
        var appendedTo: [CustomerRef: Int64] = [:]
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
                    appendedTo[ref, default: 0] += 1
                }
                decided.append((event, metadata))
            }
        }
        guard !decided.isEmpty else {
            metrics.step(.decide, since: deciding)
            if inFlight != nil {
                // Decided on the outcome of the append in flight: handled once it is stored.
                inFlight?.runs.append(run)
                inFlight?.partnering = partnering
            } else {
                working.keep(partnering, version: partneringVersion, for: tenant)
                handled = run.last?.recorded.checkpoint
            }
            return true
        }
        var versions: [StreamName: Int64] = [.partners: partneringVersion]
        for (ref, loaded) in read.states { versions[.customer(ref)] = loaded.version }
        let decision = try Decision(decided, basedOn: versions, output: ())
        metrics.step(.decide, since: deciding)
        // Appended only on the outcome it was decided on: the append in flight stored.
        guard try await settle(&inFlight, handled: &handled) else { return false }
        let partnersEvents = decided.map(\.event).filter { $0.homeStream == .partners }
        var after: [CustomerRef: (state: CustomerState, version: Int64)] = [:]
        for (ref, count) in appendedTo { after[ref] = (states[ref]!.state, read.states[ref]!.version + count) }
        let stored = Task { [self] () async throws -> Bool in
            let appending = ContinuousClock.now
            defer { metrics.step(.append, since: appending) }
            do {
                _ = try await runner.append(decision, tenant: tenant)
            } catch let error as EventStoreError where error.code == .concurrencyConflict {
                logger.debug("a batch raced another writer; deciding its events one by one", metadata: ["tenant": "\(tenant)", "events": "\(run.count)"])
                return false
            }
            // The cache folds the batch's events into its own instead of reading them back and decoding them.
            if !partnersEvents.isEmpty { await cache.advance(tenant, with: partnersEvents, from: partneringVersion) }
            decidedTogether.add(run.count, ordering: .relaxed)
            logger.debug("decided a batch", metadata: ["tenant": "\(tenant)", "events": "\(run.count)", "event.count": "\(decided.count)"])
            return true
        }
        inFlight = AppendInFlight(
            runs: [run], stored: stored, partneringBase: partneringVersion, partneringVersion: partneringVersion + Int64(partnersEvents.count),
            partnering: partnering, customers: after)
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
