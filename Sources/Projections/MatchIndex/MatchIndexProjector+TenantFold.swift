public import EventSourcing
public import EventStore
public import PGClient
import SyncDomain

extension MatchIndexProjector: TenantFoldingProjector {
    /// A tenant's index being folded: each owner's keys, and the customers observed so far (a created partner's link
    /// moves its creation's keys to it only when it was not observed before).
    public struct TenantFold: Sendable {
        let settings: TenantSettings
        var index: [MatchIndexOwner: [MatchIndexRow]] = [:]
        var observed: Set<CustomerRef> = []
    }

    /// An empty fold with the tenant's current match fields (as the batches use them).
    public func startFold(of tenant: TenantID, on connection: PGConnection) async throws -> TenantFold {
        TenantFold(settings: try await SettingsSource.latest(of: tenant.rawValue, on: connection))
    }

    /// Folds the tenant's next events.
    public func fold(_ events: [DomainEvent], into fold: inout TenantFold) {
        for event in events where MatchIndexModel.concernsIndex(event) {
            // Asked only of a created partner's link, as the batches ask the log.
            let partnerObserved = MatchIndexModel.createdLink(event).map { fold.observed.contains($0.partner) } ?? false
            MatchIndexModel.apply(event, to: &fold.index, settings: fold.settings, observedBefore: { _ in partnerObserved })
            if case .customerObserved(let observation) = event.event { fold.observed.insert(observation.customer) }
        }
    }

    /// Writes every owner's keys.
    public func write(_ fold: TenantFold, to target: ProjectionTarget, on connection: PGConnection) async throws {
        try await ProjectionRows<MatchIndexRow>(Self.matchIndex, target).insert(fold.index.values.joined().sorted(), on: connection)
    }
}
