/// The fold of the `partners` stream.
extension PartneringDecider {
    /// Applies one event; events of other streams leave the state unchanged.
    public static func evolve(_ state: PartneringState, _ event: SyncEvent) -> PartneringState {
        var state = state
        evolve(&state, event)
        return state
    }

    /// Applies one event in place (no copy of a large state: folds of long streams use this).
    public static func evolve(_ state: inout PartneringState, _ event: SyncEvent) {
        switch event {
        case .partnerLinked(let e):
            state.links[e.linkId] = PartnerLink(e)
            state.linkBySource[e.source] = e.linkId
            state.linkByEconomic[e.economic] = e.linkId
            if case .created(let requestId) = e.origin { state.removePendingCreation(requestId) }
        case .partnerUnlinked(let e):
            for side in Side.allCases { state.setOpenWrite(nil, toward: side, of: e.linkId) }
            if let link = state.links.removeValue(forKey: e.linkId) {
                state.linkBySource.removeValue(forKey: link.source)
                state.linkByEconomic.removeValue(forKey: link.economic)
            }
        case .syncStopped(let e):
            state.links[e.linkId]?.isStopped = true
        case .syncRestarted(let e):
            state.links[e.linkId]?.isStopped = false
        case .partnerCreationRequested(let e):
            state.addPendingCreation(PendingCreation(e))
        case .partnerCreationCancelled(let e):
            state.removePendingCreation(e.requestId)
        case .conflictDetected(let e):
            state.links[e.linkId]?.openConflicts[e.field] = OpenConflict(
                field: e.field, sourceValue: e.sourceValue, economicValue: e.economicValue, baseValue: e.baseValue)
        case .conflictResolved(let e):
            guard var link = state.links[e.linkId] else { break }
            for (field, value) in e.resultingValues {
                let open = link.openConflicts.removeValue(forKey: field)
                link.agreed[field] = FieldValues.isBlank(value) ? nil : value
                link.sourceSeen[field] = open?.sourceValue
                link.economicSeen[field] = open?.economicValue
            }
            state.links[e.linkId] = link
        case .linkWriteRequested(let e):
            state.setOpenWrite(e.write, toward: e.target, of: e.linkId)
        case .linkWriteSettled(let e):
            guard state.links[e.linkId]?.openWrite(toward: e.target)?.requestId == e.requestId else { break }
            state.setOpenWrite(nil, toward: e.target, of: e.linkId)
        case .linkSynced(let e):
            guard var link = state.links[e.linkId] else { break }
            link.agreed = e.agreed
            link.sourceSeen = e.sourceSeen
            link.economicSeen = e.economicSeen
            for field in e.clearedConflicts { link.openConflicts.removeValue(forKey: field) }
            state.links[e.linkId] = link
        default:
            break
        }
    }
}
