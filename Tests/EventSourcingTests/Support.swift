import EventSourcing
import EventStore
import PGClient
import PostgresTestSupport
import SyncDomain

/// A migrated database with a pool, a store and a tenant, for one test.
func withStore<Result>(_ body: (EventStore, TenantID, TestDatabase) async throws -> Result) async throws -> Result {
    try await TestDatabase.with { database in
        try await database.withPool(maxConnections: 4) { pool in
            let store = EventStore(pool: pool, logger: database.logger)
            let acme = try await database.addTenant("acme", pool: pool)
            return try await body(store, acme, database)
        }
    }
}

/// Observes a customer, as another writer would, at whatever version its stream is.
func observe(_ customer: CustomerRef, _ name: String, tenant: TenantID, store: EventStore) async throws {
    let event = SyncEvent.customerObserved(CustomerObserved(customer: customer, fields: ["name": name]))
    try await store.append(
        [try EventCodec.encode(event, metadata: EventMetadata(actor: "test:other-writer"))], to: try StreamID(StreamName.customer(customer).rawValue),
        of: tenant, expecting: .any)
}

/// The events of a stream, decoded.
func events(of stream: StreamName, tenant: TenantID, store: EventStore) async throws -> [SyncEvent] {
    try await store.readStream(try StreamID(stream.rawValue), of: tenant).map { try EventCodec.decode($0) }
}

let anna = CustomerRef.stripe("cus_anna")
let bob = CustomerRef.stripe("cus_bob")
let user = EventMetadata(actor: "user:test")
