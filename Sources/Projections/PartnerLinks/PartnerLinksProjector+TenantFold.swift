public import EventSourcing
public import EventStore
public import PGClient

extension PartnerLinksProjector: TenantFoldingProjector {
    /// An empty model of the tenant's links, conflicts and pending creations.
    public func startFold(of tenant: TenantID, on connection: PGConnection) async throws -> PartnerLinksModel {
        PartnerLinksModel(tenant: tenant.rawValue)
    }

    /// Folds the tenant's next events.
    public func fold(_ events: [DomainEvent], into fold: inout PartnerLinksModel) {
        for event in events { fold.apply(event) }
    }

    /// Writes every link, open conflict and pending creation.
    public func write(_ fold: PartnerLinksModel, to target: ProjectionTarget, on connection: PGConnection) async throws {
        let rows = fold.allRows
        try await ProjectionRows<PartnerLinkRow>(Self.links, target).insert(rows.links, on: connection)
        try await ProjectionRows<ConflictRow>(Self.conflicts, target).insert(rows.conflicts, on: connection)
        try await ProjectionRows<PendingCreationRow>(Self.pending, target).insert(rows.pending, on: connection)
    }
}
