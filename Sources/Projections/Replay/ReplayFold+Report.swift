public import SyncDomain

/// What the fold answers: one customer, or the summary and the changed customers.
extension ReplayFold {
    /// Every source customer the log knows (observed or named by a link or creation), ordered.
    public var sourceCustomers: [CustomerRef] { sources.keys.sorted() }

    /// One source customer replayed; `nil` when the log (up to here) does not know it. An e-conomic customer stands
    /// for its linked source customer.
    /// - Parameter ref: A source customer, or a linked e-conomic customer.
    public func customer(_ ref: CustomerRef) -> CustomerReplay? {
        let source = ref.system == .economic ? partnering.link(of: ref)?.source : ref
        guard let source, sources[source] != nil else { return nil }
        return replay(source, index: ProposalIndex(fold: self))
    }

    /// The summary over every source customer and a page of the customers the proposal changes.
    /// - Parameters:
    ///   - limit: The most changed customers to list (`nil`: all).
    ///   - offset: How many changed customers to skip first.
    public func report(limit: Int? = nil, offset: Int = 0) -> ReplayReport {
        let index = ProposalIndex(fold: self)
        var summary = ReplaySummary()
        var changed: [CustomerReplay] = []
        var count = 0
        for ref in sourceCustomers {
            let entry = replay(ref, index: index)
            summary.add(entry)
            guard entry.isChanged else { continue }
            if count >= offset, limit.map({ changed.count < $0 }) ?? true { changed.append(entry) }
            count += 1
        }
        return ReplayReport(
            position: position, events: events, settingsVersion: settings.version, summary: summary, changed: count, customers: changed)
    }

    /// A report for one customer: the summary counts that customer alone.
    /// - Parameter entry: The customer replayed.
    public func report(of entry: CustomerReplay) -> ReplayReport {
        var summary = ReplaySummary()
        summary.add(entry)
        return ReplayReport(
            position: position, events: events, settingsVersion: settings.version, summary: summary, changed: entry.isChanged ? 1 : 0,
            customers: [entry])
    }

    private func replay(_ ref: CustomerRef, index: ProposalIndex) -> CustomerReplay {
        let track = sources[ref] ?? SourceTrack()
        let recorded = recordedMatch(track)
        var proposed = recorded
        var payload = track.proposed
        var problem = track.proposalProblem
        if !track.state.isExcluded, !track.state.isDeleted, partnering.link(of: ref) == nil, partnering.pendingCreation(from: ref) == nil {
            (proposed, payload, problem) = proposalMatch(ref, fields: track.state.fields, index: index, sentSoFar: payload, problem: problem)
        }
        return CustomerReplay(
            customer: ref, fields: track.state.fields, recorded: recorded, proposed: proposed, sent: track.sent, proposedPayload: payload,
            differences: FieldDifference.between(sent: track.sent, proposed: payload), proposalProblem: problem, creation: track.creation)
    }

    private func recordedMatch(_ track: SourceTrack) -> ReplayMatch {
        if track.state.isExcluded { return ReplayMatch(.excluded) }
        if track.state.isDeleted { return ReplayMatch(.deleted) }
        return track.recorded ?? ReplayMatch(.unpartnered)
    }

    /// The proposal's decision for an unlinked customer, as ``SyncPolicy`` makes it: look up by the proposal's match
    /// fields; no match → the proposal's create policy (a create's payload is what the proposal would send).
    private func proposalMatch(
        _ ref: CustomerRef, fields: [String: String], index: ProposalIndex, sentSoFar: [String: String], problem: String?
    ) -> (ReplayMatch, [String: String], String?) {
        let outcome = MatchResolver.resolve(source: fields, settings: proposal) { key in
            index.candidates(for: key, partnering: partnering).filter { $0.target.isPending == false || $0.partner != ref }
        }
        switch outcome {
        case .matched(let candidate, let key):
            let rule = ReplayMatch.rule(of: key, fields: fields, settings: proposal)
            return (ReplayMatch(.linked, partner: candidate.economicCustomer, rule: rule, key: key), sentSoFar, problem)
        case .matchFieldMissing, .ambiguous, .candidateAlreadyLinked:
            return (ReplayMatch(.matchFailed, reason: outcome.failure?.description), sentSoFar, problem)
        case .noMatch:
            guard proposal.createPolicy == .automatic else { return (ReplayMatch(.unpartnered), sentSoFar, problem) }
            do throws(MappingError) {
                return (ReplayMatch(.wouldCreate), try proposalCreatePayload(fields), problem)
            } catch {
                return (ReplayMatch(.mappingFailed, reason: error.description), sentSoFar, error.description)
            }
        }
    }
}

extension MatchCandidate.Target {
    /// Whether the candidate is a creation under way rather than an existing customer.
    fileprivate var isPending: Bool {
        if case .pendingCreation = self { return true }
        return false
    }
}
