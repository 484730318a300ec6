public import EventSourcing
import Foundation
public import SyncDomain

/// How events change one tenant's partner links, conflicts and pending creations — pure, shared by the SQL
/// projector (over the rows a batch touches) and the reference fold (over everything). The semantics are the
/// command side's own: ``SyncDomain/PartneringDecider/evolve(_:_:)``; this adds the times people see.
public struct PartnerLinksModel: Sendable, Hashable {
    /// The tenant.
    public let tenant: String
    /// The domain state (only the links and requests loaded, for a batch).
    public private(set) var state = PartneringState.initial
    private var linkedAt: [LinkID: Date] = [:]
    private var updatedAt: [LinkID: Date] = [:]
    private var conflictSince: [LinkID: [String: Date]] = [:]
    private var requestedAt: [RequestID: Date] = [:]

    /// An empty model for a tenant.
    public init(tenant: String) { self.tenant = tenant }

    /// A model holding the given rows (as loaded for a batch).
    init(tenant: String, links: [PartnerLinkRow], conflicts: [ConflictRow], pending: [PendingCreationRow]) throws {
        self.tenant = tenant
        for row in links {
            guard let id = UUID(uuidString: row.linkID).map({ LinkID($0) }), let source = CustomerRef(parsing: row.source),
                let number = Int(row.economicNumber)
            else { throw ProjectionError(code: .applyFailed, message: "partner_links row \(row.linkID) is malformed") }
            var link = PartnerLink(
                id: id, source: source, economic: .economic(number), origin: row.origin, isStopped: row.stopped, agreed: row.agreed,
                sourceSeen: row.sourceSeen, economicSeen: row.economicSeen)
            for conflict in conflicts where conflict.linkID == row.linkID {
                link.openConflicts[conflict.field] = OpenConflict(
                    field: conflict.field, sourceValue: conflict.sourceValue, economicValue: conflict.economicValue, baseValue: conflict.baseValue)
                conflictSince[id, default: [:]][conflict.field] = conflict.since
            }
            state.links[id] = link
            state.linkBySource[source] = id
            state.linkByEconomic[link.economic] = id
            linkedAt[id] = row.linkedAt
            updatedAt[id] = row.updatedAt
        }
        for row in pending {
            guard let id = UUID(uuidString: row.requestID).map({ RequestID($0) }), let from = CustomerRef(parsing: row.from),
                let target = System(rawValue: row.targetSystem)
            else { throw ProjectionError(code: .applyFailed, message: "pending_creations row \(row.requestID) is malformed") }
            state.addPendingCreation(
                PendingCreation(
                    PartnerCreationRequested(
                        requestId: id, from: from, targetSystem: target, numbering: .economicAssigns, customerNumber: row.customerNumber,
                        payload: row.payload)))
            requestedAt[id] = row.requestedAt
        }
    }

    /// The links and requests an event touches.
    public static func touches(_ event: SyncEvent) -> (links: [LinkID], requests: [RequestID]) {
        switch event {
        case .partnerLinked(let e):
            if case .created(let requestId) = e.origin { return ([e.linkId], [requestId]) }
            return ([e.linkId], [])
        case .partnerUnlinked(let e): return ([e.linkId], [])
        case .syncStopped(let e): return ([e.linkId], [])
        case .syncRestarted(let e): return ([e.linkId], [])
        case .conflictDetected(let e): return ([e.linkId], [])
        case .conflictResolved(let e): return ([e.linkId], [])
        case .linkSynced(let e): return ([e.linkId], [])
        case .partnerCreationRequested(let e): return ([], [e.requestId])
        case .partnerCreationCancelled(let e): return ([], [e.requestId])
        default: return ([], [])
        }
    }

    /// Applies one event.
    public mutating func apply(_ event: DomainEvent) {
        let (links, requests) = Self.touches(event.event)
        guard !links.isEmpty || !requests.isEmpty else { return }
        PartneringDecider.evolve(&state, event.event)
        for id in links {
            guard let link = state.links[id] else {
                linkedAt[id] = nil
                updatedAt[id] = nil
                conflictSince[id] = nil
                continue
            }
            if linkedAt[id] == nil { linkedAt[id] = event.recordedAt }
            updatedAt[id] = event.recordedAt
            var since = conflictSince[id] ?? [:]
            for field in since.keys where link.openConflicts[field] == nil { since[field] = nil }
            for field in link.openConflicts.keys where since[field] == nil { since[field] = event.recordedAt }
            conflictSince[id] = since.isEmpty ? nil : since
        }
        for id in requests {
            if state.pendingCreations[id] == nil {
                requestedAt[id] = nil
            } else if requestedAt[id] == nil {
                requestedAt[id] = event.recordedAt
            }
        }
    }

    /// The link row, or nil if the link does not exist (any more).
    func linkRow(_ id: LinkID) -> PartnerLinkRow? {
        guard let link = state.links[id], let linkedAt = linkedAt[id], let updatedAt = updatedAt[id] else { return nil }
        return PartnerLinkRow(
            tenantID: tenant, linkID: id.description, source: link.source.description, economicNumber: link.economic.id, origin: link.origin,
            stopped: link.isStopped, agreed: link.agreed, sourceSeen: link.sourceSeen, economicSeen: link.economicSeen,
            linkedAt: linkedAt, updatedAt: updatedAt)
    }

    /// The link's open conflicts.
    func conflictRows(_ id: LinkID) -> [ConflictRow] {
        guard let link = state.links[id] else { return [] }
        return link.openConflicts.values.map { conflict in
            ConflictRow(
                tenantID: tenant, linkID: id.description, field: conflict.field, sourceValue: conflict.sourceValue,
                economicValue: conflict.economicValue, baseValue: conflict.baseValue, since: conflictSince[id]?[conflict.field] ?? .distantPast)
        }.sorted { $0.field < $1.field }
    }

    /// The pending creation row, or nil if it is no longer pending.
    func pendingRow(_ id: RequestID) -> PendingCreationRow? {
        guard let pending = state.pendingCreations[id], let requestedAt = requestedAt[id] else { return nil }
        return PendingCreationRow(
            tenantID: tenant, requestID: id.description, from: pending.from.description, targetSystem: pending.targetSystem.rawValue,
            customerNumber: pending.customerNumber, payload: pending.payload, requestedAt: requestedAt)
    }

    /// Every row (the reference fold's output).
    public var allRows: (links: [PartnerLinkRow], conflicts: [ConflictRow], pending: [PendingCreationRow]) {
        let ids = state.links.keys.sorted()
        return (ids.compactMap(linkRow), ids.flatMap(conflictRows), state.pendingCreations.keys.sorted().compactMap(pendingRow))
    }
}
