import EventSourcing
public import EventStore
public import PGClient
import SyncDomain

/// Projects every customer (all sides) into `customers`, and the ones without a partner into `unpartnered`.
///
/// Each batch loads only the rows its events touch, folds the events with ``CustomersModel`` (the same pure
/// code the reference fold uses), and writes the changed rows back in one statement per table. The mapped
/// e-conomic preview uses the tenant's current mapping; a mapping change triggers a rebuild of this projection
/// for that tenant.
public struct CustomersProjector: Projector {
    /// `customers`
    public let name = "customers"

    /// Makes the projector.
    public init() {}

    /// The `customers` table.
    public static let customers = ProjectionTable(
        name: "customers",
        columns: [
            .init("tenant_id", "text NOT NULL"), .init("system", "text NOT NULL"), .init("external_id", "text NOT NULL"),
            .init("fields", "jsonb NOT NULL"), .init("name", "text"), .init("email", "text"),
            .init("deleted", "boolean NOT NULL"), .init("excluded", "boolean NOT NULL"),
            .init("link_id", "text"), .init("partner", "text"), .init("pending_request", "text"),
            .init("match_failure", "jsonb"), .init("mapping_failure", "jsonb"), .init("mapped", "jsonb"),
            .init("source_updated_at", "timestamptz"), .init("last_source_event_id", "text"),
            .init("unpartnered_since", "timestamptz"), .init("updated_at", "timestamptz NOT NULL"), .init("last_position", "bigint NOT NULL"),
        ],
        primaryKey: ["tenant_id", "system", "external_id"],
        indexes: [["tenant_id", "link_id"], ["tenant_id", "pending_request"], ["tenant_id", "system", "name"], ["tenant_id", "partner"]])

    /// The `unpartnered` table.
    public static let unpartnered = ProjectionTable(
        name: "unpartnered",
        columns: [
            .init("tenant_id", "text NOT NULL"), .init("side", "text NOT NULL"), .init("system", "text NOT NULL"),
            .init("external_id", "text NOT NULL"), .init("name", "text"), .init("email", "text"), .init("since", "timestamptz NOT NULL"),
        ],
        primaryKey: ["tenant_id", "system", "external_id"],
        indexes: [["tenant_id", "side", "name"]])

    /// Both tables.
    public var tables: [ProjectionTable] { [Self.customers, Self.unpartnered] }

    /// Customer events, and the partnering events that change a customer's partner.
    public var eventTypes: Set<String>? {
        [
            CustomerObserved.typeName, CustomerDeleted.typeName, CustomerExcluded.typeName, CustomerIncluded.typeName, MatchFailed.typeName,
            MappingFailed.typeName, PartnerLinked.typeName, PartnerUnlinked.typeName, PartnerCreationRequested.typeName,
            PartnerCreationCancelled.typeName,
        ]
    }

    /// Applies a batch.
    public func apply(_ events: [RecordedEvent], to target: ProjectionTarget, on connection: PGConnection) async throws {
        let domain = try DomainEvent.decode(events)
        var keys = Set<CustomerKey>()
        var links = Set<LinkKey>()
        var requests = Set<RequestKey>()
        var customerTenants = Set<String>()
        for event in domain {
            let touched = CustomersModel.touches(event)
            keys.formUnion(touched.keys)
            links.formUnion(touched.links.map { LinkKey(tenantID: event.tenant, linkID: $0) })
            requests.formUnion(touched.requests.map { RequestKey(tenantID: event.tenant, pendingRequest: $0) })
            customerTenants.insert(event.tenant)
        }
        guard !keys.isEmpty || !links.isEmpty || !requests.isEmpty else { return }

        let table = ProjectionRows<CustomerRow>(Self.customers, target)
        var loaded = try await table.load(keys: Array(keys), on: connection)
        loaded += try await table.load(by: ["tenant_id", "link_id"], values: Array(links), on: connection)
        loaded += try await table.load(by: ["tenant_id", "pending_request"], values: Array(requests), on: connection)
        // A customer observed for the first time may have been linked already: its partner's row holds the link.
        let present = Set(loaded.map(\.key))
        let firstObserved = Set(domain.compactMap(CustomersModel.firstObservation)).subtracting(present)
        loaded += try await table.load(
            by: ["tenant_id", "partner"], values: firstObserved.map { PartnerKey(tenantID: $0.tenantID, partner: $0.customer.description) },
            on: connection)
        let original = Dictionary(loaded.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var rows = original
        for event in domain { CustomersModel.apply(event, to: &rows) }
        let settings = try await SettingsSource.latest(for: customerTenants, on: connection)
        CustomersModel.refreshMapped(&rows, changedSince: original, settings: { settings[$0] ?? .default })
        let changed = rows.values.filter { original[$0.key] != $0 }
        try await table.upsert(changed, on: connection)
        let unpartnered = ProjectionRows<UnpartneredRow>(Self.unpartnered, target)
        try await unpartnered.upsert(changed.compactMap(UnpartneredRow.init), on: connection)
        try await unpartnered.delete(keys: changed.filter { $0.unpartneredSince == nil }.map(\.key), on: connection)
    }

    private struct LinkKey: Codable, Hashable {
        var tenantID: String
        var linkID: String
        enum CodingKeys: String, CodingKey { case tenantID = "tenant_id", linkID = "link_id" }
    }

    private struct RequestKey: Codable, Hashable {
        var tenantID: String
        var pendingRequest: String
        enum CodingKeys: String, CodingKey { case tenantID = "tenant_id", pendingRequest = "pending_request" }
    }

    private struct PartnerKey: Codable, Hashable {
        var tenantID: String
        var partner: String
        enum CodingKeys: String, CodingKey { case tenantID = "tenant_id", partner }
    }
}
