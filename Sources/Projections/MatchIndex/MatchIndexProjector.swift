import EventSourcing
public import EventStore
public import PGClient
import SyncDomain

/// Projects every customer's normalised match keys (per the tenant's current match fields) into
/// `match_index`, plus the keys of e-conomic customers whose creation is pending — so a second source
/// customer with the same e-mail finds the pending one instead of creating a duplicate.
///
/// A change of a tenant's match fields triggers a rebuild of this projection for that tenant.
public struct MatchIndexProjector: Projector {
    /// `match_index`
    public let name = "match_index"

    /// Makes the projector.
    public init() {}

    /// The `match_index` table.
    public static let matchIndex = ProjectionTable(
        name: "match_index",
        columns: [
            .init("tenant_id", "text NOT NULL"), .init("key_kind", "text NOT NULL"), .init("key_value", "text NOT NULL"),
            .init("side", "text NOT NULL"), .init("system", "text NOT NULL"), .init("external_id", "text NOT NULL"),
        ],
        primaryKey: ["tenant_id", "key_kind", "key_value", "side", "system", "external_id"],
        indexes: [["tenant_id", "system", "external_id"]])

    /// The table.
    public var tables: [ProjectionTable] { [Self.matchIndex] }

    /// Observations, deletions, and the life of pending creations.
    public var eventTypes: Set<String>? {
        [CustomerObserved.typeName, CustomerDeleted.typeName, PartnerCreationRequested.typeName, PartnerCreationCancelled.typeName, PartnerLinked.typeName]
    }

    /// Applies a batch: for every owner the batch touches, its final key set replaces its stored one.
    public func apply(_ events: [RecordedEvent], to target: ProjectionTarget, on connection: PGConnection) async throws {
        let domain = try DomainEvent.decode(events).filter(MatchIndexModel.concernsIndex)
        guard !domain.isEmpty else { return }
        let settings = try await SettingsSource.latest(for: Set(domain.map(\.tenant)), on: connection)
        var final: [MatchIndexOwner: [MatchIndexRow]] = [:]
        for event in domain {
            guard let (owner, rows) = MatchIndexModel.replacement(for: event, settings: settings[event.tenant] ?? .default) else { continue }
            final[owner] = rows
        }
        let table = ProjectionRows<MatchIndexRow>(Self.matchIndex, target)
        try await table.delete(by: ["tenant_id", "system", "external_id"], values: Array(final.keys), on: connection)
        try await table.upsert(Array(Set(final.values.joined())), on: connection)
    }
}
