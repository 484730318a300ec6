import EventStore
import PGClient
import Projections
import SyncDomain

/// Customers' current states, folded from their own streams (the source of truth), with each stream's version.
struct CustomerStates: Sendable {
    let store: EventStore

    /// The state and stream version of each customer (a customer with no events has the initial state, version 0).
    func load(_ customers: [CustomerRef], tenant: TenantID) async throws -> [CustomerRef: (state: CustomerState, version: Int64)] {
        guard !customers.isEmpty else { return [:] }
        return try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in try await load(customers, tenant: tenant, on: connection) }
    }

    /// The same, read in the caller's transaction (in the tenant's scope).
    func load(
        _ customers: [CustomerRef], tenant: TenantID, on connection: PGConnection
    ) async throws -> [CustomerRef: (state: CustomerState, version: Int64)] {
        guard !customers.isEmpty else { return [:] }
        let streams = try customers.map { try StreamID(StreamName.customer($0).rawValue) }
        let events = try await store.readStreams(streams, of: tenant, on: connection)
        var result: [CustomerRef: (state: CustomerState, version: Int64)] = [:]
        for (customer, stream) in zip(customers, streams) {
            let recorded = events[stream] ?? []
            let state = try DomainEvent.decode(recorded).reduce(CustomerState(customer: customer)) { CustomerDecider.evolve($0, $1.event) }
            result[customer] = (state, recorded.last?.streamVersion ?? 0)
        }
        return result
    }
}
