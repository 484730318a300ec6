import EventSourcing
import EventStore
import PGClient
import SyncDomain

/// One customer stream as an import chunk needs it: the folded state and version to decide on, and which rows
/// of the same import the stream already holds (from an earlier, interrupted run).
struct ImportedCustomer: Sendable {
    /// The state after every event of the stream.
    var state: CustomerState
    /// The stream's version (0: no events).
    var version: Int64
    /// Rows of this import already recorded in the stream → whether the row added the customer (it did not
    /// exist, or was deleted, just before).
    var recordedRows: [Int: Bool]
    /// The latest row of this import recorded in the stream.
    var latestRecordedRow: Int?
}

/// The `sourceEventId`s of an import's observations: `<importId>:<row>`.
struct ImportRowKey: Sendable {
    let prefix: String

    init(_ importId: ImportID) { prefix = "\(importId):" }

    /// The id of a row's observation.
    func sourceEventId(row: Int) -> String { prefix + String(row) }

    /// The row of an observation of this import, or `nil` for any other observation.
    func row(of sourceEventId: String?) -> Int? {
        guard let sourceEventId, sourceEventId.hasPrefix(prefix) else { return nil }
        return Int(sourceEventId.dropFirst(prefix.count))
    }
}

extension CustomerImporter {
    /// Loads and folds the customer streams of one chunk in one query.
    func loadCustomers(_ customers: [CustomerRef], key: ImportRowKey, tenant: TenantID) async throws -> [CustomerRef: ImportedCustomer] {
        guard !customers.isEmpty else { return [:] }
        let streams = try customers.map { try StreamID(StreamName.customer($0).rawValue) }
        let recorded = try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await store.readStreams(streams, of: tenant, on: connection)
        }
        var result: [CustomerRef: ImportedCustomer] = [:]
        result.reserveCapacity(customers.count)
        for (customer, stream) in zip(customers, streams) {
            let events = recorded[stream] ?? []
            var loaded = ImportedCustomer(
                state: CustomerState(customer: customer), version: events.last?.streamVersion ?? 0, recordedRows: [:], latestRecordedRow: nil)
            for event in try DomainEvent.decode(events) {
                if case .customerObserved(let observed) = event.event, let row = key.row(of: observed.sourceEventId) {
                    loaded.recordedRows[row] = !loaded.state.exists || loaded.state.isDeleted
                    loaded.latestRecordedRow = max(loaded.latestRecordedRow ?? row, row)
                }
                loaded.state = CustomerDecider.evolve(loaded.state, event.event)
            }
            result[customer] = loaded
        }
        return result
    }
}
