import EventSourcing
public import EventStore
import Foundation
public import PGClient
import SyncDomain

/// Projects the `partners` stream into `partner_links`, `conflicts` and `pending_creations`, with the same
/// semantics the command side folds (``SyncDomain/PartneringDecider``).
public struct PartnerLinksProjector: Projector {
    /// `partner_links`
    public let name = "partner_links"

    /// Makes the projector.
    public init() {}

    /// The `partner_links` table.
    public static let links = ProjectionTable(
        name: "partner_links",
        columns: [
            .init("tenant_id", "text NOT NULL"), .init("link_id", "text NOT NULL"), .init("source", "text NOT NULL"),
            .init("economic_number", "text NOT NULL"), .init("origin", "jsonb NOT NULL"), .init("stopped", "boolean NOT NULL"),
            .init("agreed", "jsonb NOT NULL"), .init("source_seen", "jsonb NOT NULL"), .init("economic_seen", "jsonb NOT NULL"),
            .init("linked_at", "timestamptz NOT NULL"), .init("updated_at", "timestamptz NOT NULL"),
        ],
        primaryKey: ["tenant_id", "link_id"],
        indexes: [["tenant_id", "source"], ["tenant_id", "economic_number"]])

    /// The `conflicts` table.
    public static let conflicts = ProjectionTable(
        name: "conflicts",
        columns: [
            .init("tenant_id", "text NOT NULL"), .init("link_id", "text NOT NULL"), .init("field", "text NOT NULL"),
            .init("source_value", "text"), .init("economic_value", "text"), .init("base_value", "text"),
            .init("since", "timestamptz NOT NULL"),
        ],
        primaryKey: ["tenant_id", "link_id", "field"])

    /// The `pending_creations` table.
    public static let pending = ProjectionTable(
        name: "pending_creations",
        columns: [
            .init("tenant_id", "text NOT NULL"), .init("request_id", "text NOT NULL"), .init("from_customer", "text NOT NULL"),
            .init("target_system", "text NOT NULL"), .init("customer_number", "bigint"), .init("payload", "jsonb NOT NULL"),
            .init("requested_at", "timestamptz NOT NULL"),
        ],
        primaryKey: ["tenant_id", "request_id"])

    /// The three tables.
    public var tables: [ProjectionTable] { [Self.links, Self.conflicts, Self.pending] }

    /// The `partners` stream's events.
    public var eventTypes: Set<String>? {
        [
            PartnerLinked.typeName, PartnerUnlinked.typeName, SyncStopped.typeName, SyncRestarted.typeName, ConflictDetected.typeName,
            ConflictResolved.typeName, LinkSynced.typeName, PartnerCreationRequested.typeName, PartnerCreationCancelled.typeName,
        ]
    }

    /// Applies a batch: loads the touched links (with their conflicts) and requests per tenant, folds, writes back.
    public func apply(_ events: [RecordedEvent], to target: ProjectionTarget, on connection: PGConnection) async throws {
        let domain = try DomainEvent.decode(events)
        var linksByTenant: [String: Set<LinkID>] = [:]
        var requestsByTenant: [String: Set<RequestID>] = [:]
        for event in domain {
            let (links, requests) = PartnerLinksModel.touches(event.event)
            linksByTenant[event.tenant, default: []].formUnion(links)
            requestsByTenant[event.tenant, default: []].formUnion(requests)
        }
        let tenants = Set(linksByTenant.keys).union(requestsByTenant.keys).filter {
            !(linksByTenant[$0] ?? []).isEmpty || !(requestsByTenant[$0] ?? []).isEmpty
        }
        guard !tenants.isEmpty else { return }

        let linkTable = ProjectionRows<PartnerLinkRow>(Self.links, target)
        let conflictTable = ProjectionRows<ConflictRow>(Self.conflicts, target)
        let pendingTable = ProjectionRows<PendingCreationRow>(Self.pending, target)
        let linkKeys = tenants.flatMap { tenant in (linksByTenant[tenant] ?? []).map { LinkKey(tenantID: tenant, linkID: $0.description) } }
        let requestKeys = tenants.flatMap { tenant in
            (requestsByTenant[tenant] ?? []).map { RequestKey(tenantID: tenant, requestID: $0.description) }
        }
        let loadedLinks = try await linkTable.load(keys: linkKeys, on: connection)
        let loadedConflicts = try await conflictTable.load(by: ["tenant_id", "link_id"], values: linkKeys, on: connection)
        let loadedPending = try await pendingTable.load(keys: requestKeys, on: connection)

        var models: [String: PartnerLinksModel] = [:]
        for tenant in tenants {
            models[tenant] = try PartnerLinksModel(
                tenant: tenant, links: loadedLinks.filter { $0.tenantID == tenant },
                conflicts: loadedConflicts.filter { $0.tenantID == tenant }, pending: loadedPending.filter { $0.tenantID == tenant })
        }
        for event in domain where tenants.contains(event.tenant) { models[event.tenant]!.apply(event) }

        var upsertLinks: [PartnerLinkRow] = []
        var deleteLinks: [LinkKey] = []
        var newConflicts: [ConflictRow] = []
        var upsertPending: [PendingCreationRow] = []
        var deletePending: [RequestKey] = []
        for tenant in tenants {
            let model = models[tenant]!
            for id in linksByTenant[tenant] ?? [] {
                if let row = model.linkRow(id) { upsertLinks.append(row) } else { deleteLinks.append(LinkKey(tenantID: tenant, linkID: id.description)) }
                newConflicts += model.conflictRows(id)
            }
            for id in requestsByTenant[tenant] ?? [] {
                if let row = model.pendingRow(id) {
                    upsertPending.append(row)
                } else {
                    deletePending.append(RequestKey(tenantID: tenant, requestID: id.description))
                }
            }
        }
        let original = Set(loadedLinks)
        try await linkTable.upsert(upsertLinks.filter { !original.contains($0) }, on: connection)
        try await linkTable.delete(keys: deleteLinks, on: connection)
        try await conflictTable.delete(by: ["tenant_id", "link_id"], values: linkKeys, on: connection)
        try await conflictTable.upsert(newConflicts, on: connection)
        try await pendingTable.upsert(upsertPending, on: connection)
        try await pendingTable.delete(keys: deletePending, on: connection)
    }

    private struct LinkKey: Codable, Hashable {
        var tenantID: String
        var linkID: String
        enum CodingKeys: String, CodingKey { case tenantID = "tenant_id", linkID = "link_id" }
    }

    private struct RequestKey: Codable, Hashable {
        var tenantID: String
        var requestID: String
        enum CodingKeys: String, CodingKey { case tenantID = "tenant_id", requestID = "request_id" }
    }
}
