import EventSourcing
import EventStore
import PGClient
import SyncDomain

/// Customers' current states, folded from their own streams (the source of truth), with each stream's version.
struct CustomerStates: Sendable {
    let store: EventStore

    /// The state and stream version of each customer (a customer with no events has the initial state, version 0).
    func load(_ customers: [CustomerRef], tenant: TenantID) async throws -> [CustomerRef: (state: CustomerState, version: Int64)] {
        guard !customers.isEmpty else { return [:] }
        return try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in try await load(customers, tenant: tenant, on: connection)
        }
    }

    /// The same, read in the caller's transaction (in the tenant's scope).
    func load(
        _ customers: [CustomerRef], tenant: TenantID, on connection: PGConnection
    ) async throws -> [CustomerRef: (state: CustomerState, version: Int64)] {
        guard !customers.isEmpty else { return [:] }
        let initials = Dictionary(customers.map { (StreamName.customer($0), CustomerState(customer: $0)) }) { first, _ in first }
        let folded = try await store.fold(CustomerDecider.self, initials, of: tenant, on: connection)
        var result: [CustomerRef: (state: CustomerState, version: Int64)] = [:]
        for customer in customers {
            let stream = folded[.customer(customer)]!
            result[customer] = (stream.state, stream.version)
        }
        return result
    }
}
