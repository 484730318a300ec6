public import EventSourcing
import Foundation
public import SyncDomain

/// How events change `customers` rows — pure, shared by the SQL projector and the in-memory reference fold.
///
/// A link and the first observation of its customers may come in either order: a partner Accord creates in
/// e-conomic is linked as soon as e-conomic answers, and observed only when e-conomic is next read; file partners
/// of several e-conomic customers are appended after all their links. A link whose customer has no row yet is kept
/// on the partner's row (`partner`), and the customer's row takes it over when it is first observed, so the rows
/// are the same whatever the order. (One of a link's customers has always been observed when it is made: the command
/// side links only customers it knows, and a created partner's source, so the partner's row is there to keep it.)
public enum CustomersModel {
    /// Applies one event to the rows it touches. `rows` must hold every existing row the event concerns
    /// (see ``touches(_:)``) and, for a customer observed for the first time, the row naming it as partner (see
    /// ``firstObservation(_:)``); rows are created as customers are first observed.
    public static func apply(_ event: DomainEvent, to rows: inout [CustomerKey: CustomerRow]) {
        let tenant = event.tenant
        switch event.event {
        case .customerObserved(let e): update(CustomerKey(tenant: tenant, e.customer), event, &rows)
        case .customerDeleted(let e): update(CustomerKey(tenant: tenant, e.customer), event, &rows)
        case .customerExcluded(let e): update(CustomerKey(tenant: tenant, e.customer), event, &rows)
        case .customerIncluded(let e): update(CustomerKey(tenant: tenant, e.customer), event, &rows)
        case .matchFailed(let e): update(CustomerKey(tenant: tenant, e.customer), event, &rows)
        case .mappingFailed(let e): update(CustomerKey(tenant: tenant, e.customer), event, &rows)
        case .partnerLinked(let e):
            for (customer, partner) in [(e.source, e.economic), (e.economic, e.source)] {
                modify(CustomerKey(tenant: tenant, customer), event, &rows) { row in
                    row.linkID = e.linkId.description
                    row.partner = partner.description
                    if case .created(let requestId) = e.origin, row.pendingRequest == requestId.description { row.pendingRequest = nil }
                }
            }
        case .partnerUnlinked(let e):
            for key in rows.values.filter({ $0.tenantID == tenant && $0.linkID == e.linkId.description }).map(\.key) {
                modify(key, event, &rows) { row in
                    row.linkID = nil
                    row.partner = nil
                }
            }
        case .partnerCreationRequested(let e):
            modify(CustomerKey(tenant: tenant, e.from), event, &rows) { $0.pendingRequest = e.requestId.description }
        case .partnerCreationCancelled(let e):
            for key in rows.values.filter({ $0.tenantID == tenant && $0.pendingRequest == e.requestId.description }).map(\.key) {
                modify(key, event, &rows) { $0.pendingRequest = nil }
            }
        default:
            break
        }
    }

    /// What an event needs loaded: customers by key, by link id, or by pending request id.
    public static func touches(_ event: DomainEvent) -> (keys: [CustomerKey], links: [String], requests: [String]) {
        let tenant = event.tenant
        switch event.event {
        case .customerObserved(let e): return ([CustomerKey(tenant: tenant, e.customer)], [], [])
        case .customerDeleted(let e): return ([CustomerKey(tenant: tenant, e.customer)], [], [])
        case .customerExcluded(let e): return ([CustomerKey(tenant: tenant, e.customer)], [], [])
        case .customerIncluded(let e): return ([CustomerKey(tenant: tenant, e.customer)], [], [])
        case .matchFailed(let e): return ([CustomerKey(tenant: tenant, e.customer)], [], [])
        case .mappingFailed(let e): return ([CustomerKey(tenant: tenant, e.customer)], [], [])
        case .partnerLinked(let e): return ([CustomerKey(tenant: tenant, e.source), CustomerKey(tenant: tenant, e.economic)], [], [])
        case .partnerUnlinked(let e): return ([], [e.linkId.description], [])
        case .partnerCreationRequested(let e): return ([CustomerKey(tenant: tenant, e.from)], [], [])
        case .partnerCreationCancelled(let e): return ([], [], [e.requestId.description])
        default: return ([], [], [])
        }
    }

    /// The customer an event may observe for the first time. When it has no row yet, the row whose `partner` it
    /// is must be loaded too: the new row takes over that row's link.
    public static func firstObservation(_ event: DomainEvent) -> CustomerKey? {
        guard case .customerObserved(let e) = event.event else { return nil }
        return CustomerKey(tenant: event.tenant, e.customer)
    }

    /// Folds a customer event through the domain's own customer state.
    private static func update(_ key: CustomerKey, _ event: DomainEvent, _ rows: inout [CustomerKey: CustomerRow]) {
        let existing = rows[key]
        let state = CustomerDecider.evolve(existing?.state ?? CustomerState(customer: key.customer), event.event)
        guard state.exists else { return }
        var row = existing ?? newRow(key, event, rows)
        row.fields = state.fields
        row.deleted = state.isDeleted
        row.excluded = state.isExcluded
        row.sourceUpdatedAt = state.lastSourceUpdatedAt
        row.lastSourceEventID = state.lastSourceEventId
        row.matchFailure = state.lastMatchFailure
        row.mappingFailure = state.lastMappingFailure
        row.name = display(state.fields["name"])
        row.email = display(state.fields["email"])
        finish(&row, event)
        rows[key] = row
    }

    /// A customer's first row, linked if it was linked before it was observed (the partner's row names it).
    private static func newRow(_ key: CustomerKey, _ event: DomainEvent, _ rows: [CustomerKey: CustomerRow]) -> CustomerRow {
        var row = CustomerRow(
            tenantID: key.tenantID, system: key.system, externalID: key.externalID, fields: [:], deleted: false, excluded: false,
            updatedAt: event.recordedAt, lastPosition: event.position)
        let name = key.customer.description
        if let partner = rows.values.filter({ $0.tenantID == key.tenantID && $0.partner == name && $0.linkID != nil }).min(by: { $0.key < $1.key }) {
            row.linkID = partner.linkID
            row.partner = partner.customer.description
        }
        return row
    }

    private static func modify(
        _ key: CustomerKey, _ event: DomainEvent, _ rows: inout [CustomerKey: CustomerRow], _ change: (inout CustomerRow) -> Void
    ) {
        guard var row = rows[key] else { return }
        change(&row)
        finish(&row, event)
        rows[key] = row
    }

    /// Stamps the event and keeps `unpartneredSince` right.
    private static func finish(_ row: inout CustomerRow, _ event: DomainEvent) {
        row.updatedAt = event.recordedAt
        row.lastPosition = event.position
        let unpartnered = !row.deleted && !row.excluded && row.linkID == nil && row.pendingRequest == nil
        if !unpartnered {
            row.unpartneredSince = nil
        } else if row.unpartneredSince == nil {
            row.unpartneredSince = event.recordedAt
        }
    }

    /// Recomputes the mapped preview of rows whose fields changed (once per row per batch: it depends only on
    /// the final fields and the tenant's current mapping).
    public static func refreshMapped(
        _ rows: inout [CustomerKey: CustomerRow], changedSince original: [CustomerKey: CustomerRow], settings: (String) -> TenantSettings
    ) {
        for (key, row) in rows {
            let before = original[key]
            guard before == nil || before!.fields != row.fields || before!.deleted != row.deleted || before!.mapped == nil && !row.deleted
            else { continue }
            rows[key]!.mapped = mapped(row, settings: settings(key.tenantID))
        }
    }

    /// What the tenant's current mapping makes of a source customer (nil for e-conomic customers, deleted
    /// customers, or fields that cannot be mapped — the row's mapping failure then says why).
    static func mapped(_ row: CustomerRow, settings: TenantSettings) -> [String: String]? {
        guard row.system != System.economic.rawValue, !row.deleted else { return nil }
        return try? CustomerMapper.mapFields(row.fields, settings: settings).fields
    }

    private static func display(_ value: String?) -> String? {
        guard let value, !FieldValues.isBlank(value) else { return nil }
        return value
    }
}
