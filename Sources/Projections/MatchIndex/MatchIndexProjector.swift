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
        [
            CustomerObserved.typeName, CustomerDeleted.typeName, PartnerCreationRequested.typeName, PartnerCreationCancelled.typeName,
            PartnerLinked.typeName,
        ]
    }

    /// Applies a batch: for every owner the batch touches, its final key set replaces its stored one.
    public func apply(_ events: [RecordedEvent], to target: ProjectionTarget, on connection: PGConnection) async throws {
        let batch = zip(events, try DomainEvent.decode(events)).filter { MatchIndexModel.concernsIndex($0.1) }
        guard !batch.isEmpty else { return }
        let settings = try await SettingsSource.latest(for: Set(batch.map(\.1.tenant)), on: connection)
        let table = ProjectionRows<MatchIndexRow>(Self.matchIndex, target)
        // Created partners' links move their creations' keys to them, unless they were observed before.
        let createdLinks = batch.compactMap { recorded, event in MatchIndexModel.createdLink(event).map { (recorded, $0) } }
        let stored = Dictionary(
            grouping: try await table.load(by: ["tenant_id", "system", "external_id"], values: createdLinks.map(\.1.request), on: connection),
            by: { MatchIndexOwner($0) })
        let observed = try await Self.observedBefore(createdLinks.map { ($0.0, $0.1.partner) }, on: connection)
        var final: [MatchIndexOwner: [MatchIndexRow]] = [:]
        for (recorded, event) in batch {
            let changes = MatchIndexModel.replacements(
                for: event, settings: settings[event.tenant] ?? .default, current: { final[$0] ?? stored[$0] ?? [] },
                observedBefore: { _ in observed.contains(recorded.globalPosition) })
            for (owner, rows) in changes { final[owner] = rows }
        }
        try await table.delete(by: ["tenant_id", "system", "external_id"], values: Array(final.keys), on: connection)
        try await table.upsert(Array(Set(final.values.joined())), on: connection)
    }

    /// The positions of the given events whose customer was observed before them, in log order. Every event before
    /// a readable one in `(txid, global_position)` order has committed, so the answer never changes: a rebuild
    /// gets the same one.
    static func observedBefore(_ events: [(event: RecordedEvent, customer: CustomerRef)], on connection: PGConnection) async throws -> Set<Int64> {
        guard !events.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            SELECT l.position FROM unnest(\(events.map(\.event.tenant.rawValue))::text[], \(events.map { StreamName.customer($0.customer).rawValue })::text[],
                                          \(events.map { String($0.event.transactionID) })::text[], \(events.map(\.event.globalPosition))::int8[])
                AS l(tenant, stream, txid, position)
            WHERE EXISTS (
                SELECT 1 FROM events e
                WHERE e.tenant_id = l.tenant AND e.stream_id = l.stream AND e.type = \(CustomerObserved.typeName)
                  AND (e.txid, e.global_position) < (l.txid::xid8, l.position))
            """
        ).decode((Int64).self)
        return Set(rows)
    }
}
