public import EventSourcing
public import SyncDomain

/// How events change the match index — pure, shared by the SQL projector and the reference fold.
///
/// The index is kept per owner: every event that concerns an owner replaces that owner's whole set of keys
/// (an observation computes them from the fields with the tenant's current match fields; a deletion or a
/// cancelled pending creation empties it).
///
/// A partner Accord created in e-conomic is usually linked before e-conomic is next read, so its own keys are not
/// known yet when its creation stops being pending. Its link therefore moves the creation's keys to it, unless it
/// was observed before (then its observed keys stand); its first observation replaces them. Either way a second
/// customer with the same e-mail finds it, whatever the order of link and observation.
public enum MatchIndexModel {
    /// The owners whose key sets an event replaces, each with its new key set (as rows); empty when the event does
    /// not concern the index.
    /// - Parameters:
    ///   - event: the event.
    ///   - settings: the tenant's current settings (match fields).
    ///   - current: an owner's rows before the event (a created partner's link moves its creation's rows).
    ///   - observedBefore: whether a customer was observed before the event.
    public static func replacements(
        for event: DomainEvent, settings: TenantSettings, current: (MatchIndexOwner) -> [MatchIndexRow], observedBefore: (CustomerRef) -> Bool
    ) -> [(owner: MatchIndexOwner, rows: [MatchIndexRow])] {
        let tenant = event.tenant
        func rows(_ keys: [MatchKey], side: String, owner: MatchIndexOwner) -> [MatchIndexRow] {
            keys.map {
                MatchIndexRow(
                    tenantID: tenant, keyKind: $0.kind.rawValue, keyValue: $0.value, side: side, system: owner.system, externalID: owner.externalID)
            }
        }
        switch event.event {
        case .customerObserved(let e):
            let owner = MatchIndexOwner(tenant: tenant, e.customer)
            if e.customer.system == .economic {
                return [(owner, rows(MatchResolver.economicKeys(e.fields, settings: settings), side: "economic", owner: owner))]
            }
            return [(owner, rows(MatchResolver.sourceKeys(e.fields, settings: settings), side: "source", owner: owner))]
        case .customerDeleted(let e):
            return [(MatchIndexOwner(tenant: tenant, e.customer), [])]
        case .partnerCreationRequested(let e) where e.targetSystem == .economic:
            let owner = MatchIndexOwner(tenant: tenant, request: e.requestId)
            return [(owner, rows(e.matchKeys, side: "pending", owner: owner))]
        case .partnerCreationCancelled(let e):
            return [(MatchIndexOwner(tenant: tenant, request: e.requestId), [])]
        case .partnerLinked(let e):
            guard case .created(let requestId) = e.origin else { return [] }
            let request = MatchIndexOwner(tenant: tenant, request: requestId)
            guard e.economic.system == .economic, !observedBefore(e.economic) else { return [(request, [])] }
            let partner = MatchIndexOwner(tenant: tenant, e.economic)
            let moved = current(request).compactMap(\.key)
            return [(request, []), (partner, rows(moved, side: "economic", owner: partner))]
        default:
            return []
        }
    }

    /// Applies events to an in-memory index (the reference fold).
    /// - Parameter observedBefore: whether a customer was observed before the event.
    public static func apply(
        _ event: DomainEvent, to index: inout [MatchIndexOwner: [MatchIndexRow]], settings: TenantSettings, observedBefore: (CustomerRef) -> Bool
    ) {
        let changes = replacements(for: event, settings: settings, current: { index[$0] ?? [] }, observedBefore: observedBefore)
        for (owner, rows) in changes { index[owner] = rows.isEmpty ? nil : Array(Set(rows)).sorted() }
    }

    /// Whether an event can change the index (so the projector only loads settings when needed).
    static func concernsIndex(_ event: DomainEvent) -> Bool {
        switch event.event {
        case .customerObserved, .customerDeleted, .partnerCreationRequested, .partnerCreationCancelled, .partnerLinked: return true
        default: return false
        }
    }

    /// The pending creation a created partner's link moves keys from, and the partner, if the event is such a link.
    static func createdLink(_ event: DomainEvent) -> (request: MatchIndexOwner, partner: CustomerRef)? {
        guard case .partnerLinked(let e) = event.event, case .created(let requestId) = e.origin, e.economic.system == .economic else { return nil }
        return (MatchIndexOwner(tenant: event.tenant, request: requestId), e.economic)
    }
}
