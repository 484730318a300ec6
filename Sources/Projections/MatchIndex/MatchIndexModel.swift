public import EventSourcing
public import SyncDomain

/// How events change the match index — pure, shared by the SQL projector and the reference fold.
///
/// The index is kept per owner: every event that concerns an owner replaces that owner's whole set of keys
/// (an observation computes them from the fields with the tenant's current match fields; a deletion or a
/// settled pending creation empties it).
public enum MatchIndexModel {
    /// The owner whose key set an event replaces, and the new key set (as rows); nil when the event does not
    /// concern the index.
    public static func replacement(for event: DomainEvent, settings: TenantSettings) -> (owner: MatchIndexOwner, rows: [MatchIndexRow])? {
        let tenant = event.tenant
        func rows(_ keys: [MatchKey], side: String, owner: MatchIndexOwner) -> [MatchIndexRow] {
            keys.map {
                MatchIndexRow(tenantID: tenant, keyKind: $0.kind.rawValue, keyValue: $0.value, side: side, system: owner.system, externalID: owner.externalID)
            }
        }
        switch event.event {
        case .customerObserved(let e):
            let owner = MatchIndexOwner(tenant: tenant, e.customer)
            if e.customer.system == .economic {
                return (owner, rows(MatchResolver.economicKeys(e.fields, settings: settings), side: "economic", owner: owner))
            }
            return (owner, rows(MatchResolver.sourceKeys(e.fields, settings: settings), side: "source", owner: owner))
        case .customerDeleted(let e):
            return (MatchIndexOwner(tenant: tenant, e.customer), [])
        case .partnerCreationRequested(let e) where e.targetSystem == .economic:
            let owner = MatchIndexOwner(tenant: tenant, request: e.requestId)
            return (owner, rows(e.matchKeys, side: "pending", owner: owner))
        case .partnerCreationCancelled(let e):
            return (MatchIndexOwner(tenant: tenant, request: e.requestId), [])
        case .partnerLinked(let e):
            guard case .created(let requestId) = e.origin else { return nil }
            return (MatchIndexOwner(tenant: tenant, request: requestId), [])
        default:
            return nil
        }
    }

    /// Applies events to an in-memory index (the reference fold).
    public static func apply(_ event: DomainEvent, to index: inout [MatchIndexOwner: [MatchIndexRow]], settings: TenantSettings) {
        guard let (owner, rows) = replacement(for: event, settings: settings) else { return }
        index[owner] = rows.isEmpty ? nil : Array(Set(rows)).sorted()
    }

    /// Whether an event can change the index (so the projector only loads settings when needed).
    static func concernsIndex(_ event: DomainEvent) -> Bool {
        switch event.event {
        case .customerObserved, .customerDeleted, .partnerCreationRequested, .partnerCreationCancelled, .partnerLinked: return true
        default: return false
        }
    }
}
