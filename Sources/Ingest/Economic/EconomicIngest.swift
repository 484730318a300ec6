public import Connectors
public import EventStore
public import Foundation
public import PGClient
import SyncDomain
public import SyncEngine

/// Brings e-conomic customers into the log as observations: a full read (which also notices customers deleted
/// in e-conomic), or only those changed since a time (`lastUpdated$gt`, for polling).
public struct EconomicIngest: Sendable {
    /// What one pass did.
    public struct Pass: Sendable, Hashable {
        /// Customers read from e-conomic.
        public var read: Int
        /// Observations that changed something (the others were identical to what Accord knew).
        public var changed: Int
        /// Customers recorded as deleted (full passes only).
        public var deleted: Int
        /// The newest `lastUpdated` seen, to poll from next time.
        public var newest: Date?
    }

    let handler: CommandHandler
    let pool: PGConnectionPool

    /// Makes an ingest over the command handler.
    /// - Parameters:
    ///   - handler: records the observations and deletions.
    ///   - pool: the database of the handler's event store (for the customers Accord knows).
    public init(handler: CommandHandler, pool: PGConnectionPool) {
        self.handler = handler
        self.pool = pool
    }

    /// Observes e-conomic's customers: all when `since` is nil (then customers Accord knows that e-conomic no
    /// longer has are recorded as deleted), else those changed after `since` (with a two-second margin, since
    /// e-conomic keeps `lastUpdated` to the second; identical re-observations change nothing).
    /// - Throws: ``Connectors/EconomicAPIError`` or ``CommandError``.
    public func pass(client: EconomicClient, tenant: TenantID, since: Date?, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws
        -> Pass
    {
        let customers: [EconomicCustomer]
        if let since {
            customers = try await client.customers(updatedAfter: since.addingTimeInterval(-2))
        } else {
            customers = try await client.allCustomers()
        }
        var result = Pass(read: customers.count, changed: 0, deleted: 0, newest: since)
        let metadata = CommandMetadata(actor: "economic:\(since == nil ? "full-read" : "poll")")
        for (index, customer) in customers.enumerated() {
            guard let number = customer.customerNumber else { continue }
            var fields = customer.fieldMap
            fields["lastUpdated"] = nil  // bookkeeping of e-conomic's, not a customer field
            let observed = CustomerObserved(customer: .economic(number), fields: fields, sourceUpdatedAt: customer.lastUpdatedDate)
            if try await !handler.observeCustomer(observed, tenant: tenant, metadata: metadata).events.isEmpty { result.changed += 1 }
            if let updated = customer.lastUpdatedDate, updated > (result.newest ?? .distantPast) { result.newest = updated }
            progress(index + 1, customers.count)
        }
        if since == nil {
            let present = Set(customers.compactMap { $0.customerNumber.map { String($0) } })
            let known = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
                try await connection.query("SELECT external_id FROM customers WHERE system = 'economic' AND NOT deleted").decode((String).self)
            }
            for id in known where !present.contains(id) {
                let deletion = CustomerDeleted(customer: CustomerRef(system: .economic, id: id))
                if try await !handler.deleteCustomer(deletion, tenant: tenant, metadata: metadata).events.isEmpty { result.deleted += 1 }
            }
        }
        return result
    }
}
