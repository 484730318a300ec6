import SyncDomain

/// The e-conomic customers under the proposal's match fields: what the match index would hold if the proposal were
/// in force (excluded and deleted customers left out, as the match index leaves them out). A partner Accord created
/// that e-conomic has not been read back from yet is indexed by its creation payload, as the match index keeps a
/// created partner's creation keys until it is observed.
struct ProposalIndex: Sendable {
    private var customers: [MatchKey: [CustomerRef]] = [:]

    /// Indexes the fold's e-conomic customers by their keys under the fold's proposal.
    init(fold: ReplayFold) {
        for (ref, state) in fold.economic where state.exists && !state.isDeleted && !state.isExcluded {
            for key in MatchResolver.economicKeys(state.fields, settings: fold.proposal) { customers[key, default: []].append(ref) }
        }
        for link in fold.partnering.links.values where fold.economic[link.economic]?.exists != true {
            guard case .created = link.origin, let payload = fold.sources[link.source]?.creation?.payload else { continue }
            for key in MatchResolver.economicKeys(payload, settings: fold.proposal) { customers[key, default: []].append(link.economic) }
        }
        for key in customers.keys { customers[key]?.sort() }
    }

    /// The candidates a key finds, as the reactor gives them to ``MatchResolver``: each e-conomic customer with the
    /// source customer it is linked to, then the creations under way that carry the key.
    func candidates(for key: MatchKey, partnering: PartneringState) -> [MatchCandidate] {
        let existing = (customers[key] ?? []).map { ref in
            MatchCandidate(target: .economic(ref), partner: partnering.link(of: ref)?.source)
        }
        return existing + partnering.pendingCandidates(for: key)
    }
}
