public import EventSourcing
public import EventStore
public import PGClient
import SyncDomain

extension CustomersProjector: TenantFoldingProjector {
    /// A tenant's customer rows being folded, with the lookups the model needs kept as indexes (a batch loads them
    /// by link, pending request and partner; the fold keeps them in memory, so every event costs the same however
    /// many customers the tenant has).
    public struct TenantFold: Sendable {
        let settings: TenantSettings
        var rows: [CustomerKey: CustomerRow] = [:]
        var byLink: [String: Set<CustomerKey>] = [:]
        var byRequest: [String: Set<CustomerKey>] = [:]
        var byPartner: [String: Set<CustomerKey>] = [:]

        /// Applies one event to the rows it concerns, as a batch of the projector would.
        mutating func apply(_ event: DomainEvent) {
            let touched = CustomersModel.touches(event)
            var keys = Set(touched.keys)
            for link in touched.links { keys.formUnion(byLink[link] ?? []) }
            for request in touched.requests { keys.formUnion(byRequest[request] ?? []) }
            if let first = CustomersModel.firstObservation(event), rows[first] == nil { keys.formUnion(byPartner[first.customer.description] ?? []) }
            guard !keys.isEmpty else { return }
            let before = Dictionary(uniqueKeysWithValues: keys.compactMap { key in rows[key].map { (key, $0) } })
            var after = before
            CustomersModel.apply(event, to: &after)
            for (key, row) in after where before[key] != row {
                if let old = before[key] { unindex(old) }
                index(row)
                rows[key] = row
            }
        }

        private mutating func index(_ row: CustomerRow) {
            if let link = row.linkID { byLink[link, default: []].insert(row.key) }
            if let request = row.pendingRequest { byRequest[request, default: []].insert(row.key) }
            if let partner = row.partner { byPartner[partner, default: []].insert(row.key) }
        }

        private mutating func unindex(_ row: CustomerRow) {
            if let link = row.linkID { byLink[link]?.remove(row.key) }
            if let request = row.pendingRequest { byRequest[request]?.remove(row.key) }
            if let partner = row.partner { byPartner[partner]?.remove(row.key) }
        }
    }

    /// An empty fold with the tenant's current settings (the mapped preview uses them, as the batches do).
    public func startFold(of tenant: TenantID, on connection: PGConnection) async throws -> TenantFold {
        TenantFold(settings: try await SettingsSource.latest(of: tenant.rawValue, on: connection))
    }

    /// Folds the tenant's next events.
    public func fold(_ events: [DomainEvent], into fold: inout TenantFold) {
        for event in events { fold.apply(event) }
    }

    /// Writes every customer row, with its mapped preview, and the unpartnered ones.
    public func write(_ fold: TenantFold, to target: ProjectionTarget, on connection: PGConnection) async throws {
        var rows = fold.rows
        CustomersModel.refreshMapped(&rows, changedSince: [:], settings: { _ in fold.settings })
        let ordered = rows.values.sorted { $0.key < $1.key }
        try await ProjectionRows<CustomerRow>(Self.customers, target).insert(ordered, on: connection)
        try await ProjectionRows<UnpartneredRow>(Self.unpartnered, target).insert(ordered.compactMap(UnpartneredRow.init), on: connection)
    }
}
