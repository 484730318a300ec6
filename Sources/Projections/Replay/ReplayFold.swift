public import SyncDomain

/// Replays a tenant's log in memory under proposed settings — pure, no IO, nothing written.
///
/// Feed it the tenant's events in log order with ``apply(_:position:)``; ask ``report(limit:offset:)`` or
/// ``customer(_:)`` at any point, which is how time travel works: stop feeding at a past position and the answer is
/// the state then. The fold keeps state per customer, per link and per open request — never the events — so its
/// memory grows with the tenant's customers, not with its history.
///
/// What it keeps, with the domain's own folds: the settings in force (``SettingsDecider``), each customer's stream
/// state (``CustomerDecider``), the partnering state (``PartneringDecider``). On top of them, per source customer:
/// - the match result the log records (the last link, creation, match or mapping failure);
/// - the e-conomic values actually sent for it: each `EconomicWriteRequested` of the customer (a create's payload,
///   an update's patch) counts once `OutboundSucceeded` says it was carried out, less the fields the target had moved;
/// - the proposal's counterpart of each of those sends, computed when the request is folded, from the customer's
///   fields at that moment: for a create, ``CustomerMapper/createPayload(_:settings:customerNumber:)`` under the
///   proposal; for an update, the proposal's mapped values of the source fields behind the patched e-conomic fields
///   (``CustomerMapper/mapFields(_:settings:)``).
///
/// The proposal's match result is decided when asked, from the customers as they are then: a linked customer (or one
/// whose partner is being created) stays so — rules never unlink; any other is looked up with ``MatchResolver``
/// under the proposal's match fields against the e-conomic customers (their keys under the proposal, their links),
/// exactly as ``SyncPolicy`` would, and with no match the proposal's create policy decides.
public struct ReplayFold: Sendable {
    /// The proposed settings.
    public let proposal: TenantSettings
    /// The `settings` stream's state: the rules actually in force.
    public private(set) var settings = SettingsState.initial
    /// The position of the last event folded.
    public private(set) var position: Int64?
    /// How many events were folded.
    public private(set) var events = 0

    var partnering = PartneringState.initial
    var sources: [CustomerRef: SourceTrack] = [:]
    var economic: [CustomerRef: CustomerState] = [:]
    var pending: [RequestID: PendingSend] = [:]

    /// Starts a replay.
    /// - Parameter proposal: The settings to replay under (validated by the caller).
    public init(proposal: TenantSettings) {
        self.proposal = proposal
    }

    /// What the fold keeps of one source customer.
    struct SourceTrack: Sendable {
        var state = CustomerState.initial
        var recorded: ReplayMatch?
        var sent: [String: String] = [:]
        var proposed: [String: String] = [:]
        var proposalProblem: String?
        var creation: CreationRecord?
    }

    /// A request to e-conomic not yet carried out: what it sends, and the proposal's counterpart.
    struct PendingSend: Sendable {
        var source: CustomerRef
        var values: [String: String]
        var proposed: Result<[String: String], MappingError>
    }

    /// Folds one event.
    /// - Parameters:
    ///   - event: The next event of the tenant's log.
    ///   - position: Its global position.
    public mutating func apply(_ event: SyncEvent, position: Int64) {
        self.position = position
        events += 1
        switch event {
        case .settingsChanged:
            settings = SettingsDecider.evolve(settings, event)
        case .customerObserved(let e): evolveCustomer(e.customer, event)
        case .customerDeleted(let e): evolveCustomer(e.customer, event)
        case .customerExcluded(let e): evolveCustomer(e.customer, event)
        case .customerIncluded(let e): evolveCustomer(e.customer, event)
        case .matchFailed(let e):
            evolveCustomer(e.customer, event)
            sources[e.customer]?.recorded = ReplayMatch(.matchFailed, reason: e.reason.description)
        case .mappingFailed(let e):
            evolveCustomer(e.customer, event)
            if partnering.link(of: e.customer) == nil {
                sources[e.customer]?.recorded = ReplayMatch(.mappingFailed, reason: e.error.description)
            }
        case .partnerLinked(let e):
            sources[e.source, default: SourceTrack()].recorded = recordedLink(e)
            PartneringDecider.evolve(&partnering, event)
        case .partnerUnlinked(let e):
            if let link = partnering.links[e.linkId] { sources[link.source]?.recorded = nil }
            PartneringDecider.evolve(&partnering, event)
        case .partnerCreationRequested(let e):
            if e.targetSystem == .economic { sources[e.from, default: SourceTrack()].recorded = ReplayMatch(.creationPending) }
            PartneringDecider.evolve(&partnering, event)
        case .partnerCreationCancelled(let e):
            if let from = partnering.pendingCreations[e.requestId]?.from, partnering.link(of: from) == nil {
                sources[from]?.recorded = nil
            }
            PartneringDecider.evolve(&partnering, event)
        case .economicWriteRequested(let e):
            requested(e, position: position)
        case .outboundSucceeded(let e):
            succeeded(e)
        case .outboundAbandoned(let e):
            pending[e.requestId] = nil
        case .outboundSuperseded(let e):
            // The newer request carries the superseded one's fields forward.
            pending[e.requestId] = nil
        default:
            PartneringDecider.evolve(&partnering, event)
        }
    }

    private mutating func evolveCustomer(_ ref: CustomerRef, _ event: SyncEvent) {
        if ref.system == .economic {
            economic[ref] = CustomerDecider.evolve(economic[ref] ?? .initial, event)
        } else {
            sources[ref, default: SourceTrack()].state = CustomerDecider.evolve(sources[ref]?.state ?? .initial, event)
        }
    }

    /// The recorded result of a link: by which rule and key, for the customer's fields and the settings then.
    private func recordedLink(_ linked: PartnerLinked) -> ReplayMatch {
        switch linked.origin {
        case .autoMatch(let key):
            let fields = sources[linked.source]?.state.fields ?? [:]
            return ReplayMatch(
                .linked, partner: linked.economic, rule: ReplayMatch.rule(of: key, fields: fields, settings: settings.effective), key: key)
        case .user:
            return ReplayMatch(.linked, partner: linked.economic, rule: "selected by a user")
        case .created:
            return ReplayMatch(.created, partner: linked.economic, rule: "created by Accord")
        case .copiedToFile:
            return ReplayMatch(.linked, partner: linked.economic, rule: "copied to a file")
        }
    }

    /// A write to e-conomic for a source customer: held until carried out, with the proposal's counterpart computed
    /// from the customer's fields now.
    private mutating func requested(_ request: EconomicWriteRequested, position: Int64) {
        guard let source = request.source ?? request.linkId.flatMap({ partnering.links[$0]?.source }) else { return }
        let fields = sources[source]?.state.fields ?? [:]
        let values = request.sentValues
        let proposed: Result<[String: String], MappingError>
        if case .create = request.kind {
            proposed = Result { () throws(MappingError) in try proposalCreatePayload(fields) }
            sources[source, default: SourceTrack()].creation = CreationRecord(
                position: position, settingsVersion: settings.version, payload: values,
                explanations: CreationRecord.explain(values, fields: fields, settings: settings.effective))
        } else {
            proposed = Result { () throws(MappingError) in try proposalUpdate(of: Set(values.keys), fields: fields) }
        }
        pending[request.requestId] = PendingSend(source: source, values: values, proposed: proposed)
    }

    /// A request carried out: its values (less those the target had moved) and its counterpart count as sent.
    private mutating func succeeded(_ outcome: OutboundSucceeded) {
        guard let send = pending.removeValue(forKey: outcome.requestId) else { return }
        var track = sources[send.source] ?? SourceTrack()
        for (field, value) in send.values where outcome.targetMoved[field] == nil { track.sent[field] = value }
        switch send.proposed {
        case .success(let values):
            track.proposed.merge(values) { _, new in new }
        case .failure(let error):
            track.proposalProblem = error.description
        }
        sources[send.source] = track
    }

    /// The create payload under the proposal, the customer number chosen by the proposal's numbering.
    func proposalCreatePayload(_ fields: [String: String]) throws(MappingError) -> [String: String] {
        var number: Int?
        if case .fromSource(let field) = proposal.numbering { number = try CustomerMapper.customerNumber(in: fields, field: field) }
        return try CustomerMapper.createPayload(fields, settings: proposal, customerNumber: number).fields
    }

    /// The proposal's counterpart of an update of `patched` e-conomic fields: the source fields the settings in force
    /// map to them, mapped under the proposal (empty: cleared).
    private func proposalUpdate(of patched: Set<String>, fields: [String: String]) throws(MappingError) -> [String: String] {
        let changedSources = Set(settings.effective.fieldMappings.filter { patched.contains($0.economic) }.flatMap(\.sources))
        let mapped = try CustomerMapper.mapFields(fields, settings: proposal).fields
        var values: [String: String] = [:]
        for mapping in proposal.fieldMappings where !changedSources.isDisjoint(with: mapping.sources) {
            values[mapping.economic] = mapped[mapping.economic] ?? ""
        }
        return values
    }
}
