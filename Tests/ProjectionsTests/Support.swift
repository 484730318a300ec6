import EventSourcing
import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Projections
import SyncDomain
import Testing

/// Appends domain events to their home streams, in order, in batches that keep each stream's order.
func append(_ events: [SyncEvent], tenant: TenantID, store: EventStore) async throws {
    var batch: [StreamAppend] = []
    for event in events {
        let newEvent = try EventCodec.encode(event, metadata: EventMetadata(actor: "test"))
        let stream = try StreamID(event.homeStream.rawValue)
        if let last = batch.indices.last, batch[last].stream == stream {
            batch[last].events.append(newEvent)
        } else {
            batch.append(StreamAppend(stream: stream, expecting: .any, events: [newEvent]))
        }
        if batch.count >= 50 {
            try await store.append(batch, of: tenant)
            batch.removeAll()
        }
    }
    if !batch.isEmpty { try await store.append(batch, of: tenant) }
}

/// Runs a projector's active version until it has applied every event (waiting out other tests' open
/// transactions, which hold the cluster-wide watermark back).
func catchUp(_ projector: any Projector, store: EventStore, expecting total: Int, batchSize: Int = 500) async throws {
    let registry = ProjectionRegistry(pool: store.pool)
    let step = ProjectionStep(projector: projector, store: store)
    let version = try await registry.activeVersion(of: projector)
    let deadline = ContinuousClock.now.advanced(by: .seconds(60))
    while ContinuousClock.now < deadline {
        let outcome = try await step.run(target: ProjectionTarget(projection: projector.name, version: version), batchSize: batchSize)
        if case .applied(0, let checkpoint) = outcome {
            let seen = try await store.pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    "SELECT count(*) FROM events WHERE (txid, global_position) <= (\(String(checkpoint.transactionID))::xid8, \(checkpoint.globalPosition))"
                ).singleValue(Int.self) ?? 0
            }
            if seen >= total { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
    Issue.record("\(projector.name) did not catch up within 60 s")
}

/// Runs every projector until it has applied `total` events.
func catchUpAll(_ store: EventStore, _ total: Int, batchSize: Int = 500) async throws {
    for projector in AccordProjections.all { try await catchUp(projector, store: store, expecting: total, batchSize: batchSize) }
}

/// Every event in the store, decoded.
func allDomainEvents(_ store: EventStore) async throws -> [DomainEvent] {
    var events: [DomainEvent] = []
    var checkpoint = Checkpoint.origin
    while true {
        let batch = try await store.readForward(after: checkpoint, limit: 5000)
        guard let last = batch.last else { return events }
        events += try DomainEvent.decode(batch)
        checkpoint = last.checkpoint
    }
}

/// The read models as stored (through the reader-facing views of the active versions).
struct StoredReadModels: Equatable {
    var customers: [CustomerRow]
    var unpartnered: [UnpartneredRow]
    var matchIndex: [MatchIndexRow]
    var partnerLinks: [PartnerLinkRow]
    var conflicts: [ConflictRow]
    var pending: [PendingCreationRow]
    var tenantSettings: [TenantSettingsRow]

    static func load(_ store: EventStore) async throws -> StoredReadModels {
        let registry = ProjectionRegistry(pool: store.pool)
        func target(_ projector: any Projector) async throws -> ProjectionTarget {
            ProjectionTarget(projection: projector.name, version: try await registry.activeVersion(of: projector))
        }
        let customers = try await target(CustomersProjector())
        let matchIndex = try await target(MatchIndexProjector())
        let links = try await target(PartnerLinksProjector())
        let settings = try await target(TenantSettingsProjector())
        return try await store.pool.withTransaction(scope: .system) { connection in
            StoredReadModels(
                customers: try await ProjectionRows<CustomerRow>(CustomersProjector.customers, customers).all(on: connection),
                unpartnered: try await ProjectionRows<UnpartneredRow>(CustomersProjector.unpartnered, customers).all(on: connection),
                matchIndex: try await ProjectionRows<MatchIndexRow>(MatchIndexProjector.matchIndex, matchIndex).all(on: connection),
                partnerLinks: try await ProjectionRows<PartnerLinkRow>(PartnerLinksProjector.links, links).all(on: connection),
                conflicts: try await ProjectionRows<ConflictRow>(PartnerLinksProjector.conflicts, links).all(on: connection),
                pending: try await ProjectionRows<PendingCreationRow>(PartnerLinksProjector.pending, links).all(on: connection),
                tenantSettings: try await ProjectionRows<TenantSettingsRow>(TenantSettingsProjector.table, settings).all(on: connection))
        }
    }

    init(
        customers: [CustomerRow], unpartnered: [UnpartneredRow], matchIndex: [MatchIndexRow], partnerLinks: [PartnerLinkRow],
        conflicts: [ConflictRow], pending: [PendingCreationRow], tenantSettings: [TenantSettingsRow]
    ) {
        self.customers = customers
        self.unpartnered = unpartnered
        self.matchIndex = matchIndex
        self.partnerLinks = partnerLinks
        self.conflicts = conflicts
        self.pending = pending
        self.tenantSettings = tenantSettings
    }

    init(_ reference: ReferenceReadModels) {
        self.init(
            customers: reference.customerRows, unpartnered: reference.unpartneredRows, matchIndex: reference.matchIndexRows,
            partnerLinks: reference.partnerLinkRows, conflicts: reference.conflictRows, pending: reference.pendingCreationRows,
            tenantSettings: reference.tenantSettingsRows)
    }
}

/// A migrated database with a pool, a store and two tenants.
func withProjectionStore<Result>(_ body: (EventStore, TestDatabase, TenantID, TenantID) async throws -> Result) async throws -> Result {
    try await TestDatabase.with { database in
        try await database.withPool(maxConnections: 6) { pool in
            let store = EventStore(pool: pool, logger: database.logger)
            let acme = try await database.addTenant("acme", pool: pool)
            let globex = try await database.addTenant("globex", pool: pool)
            return try await body(store, database, acme, globex)
        }
    }
}

/// Generates and appends random histories for both tenants; returns the number of events.
func appendRandomHistories(seed: UInt64, store: EventStore, tenants: [TenantID], customers: Int = 120, steps: Int = 500) async throws -> Int {
    var total = 0
    for (index, tenant) in tenants.enumerated() {
        var generator = HistoryGenerator(seed: seed &+ UInt64(index))
        let events = generator.history(sourceCustomers: customers, economicCustomers: customers * 2 / 3, steps: steps)
        try await append(events, tenant: tenant, store: store)
        total += events.count
    }
    return total
}

/// Each tenant's latest settings, as the projectors see them.
func latestSettings(_ events: [DomainEvent]) -> [String: TenantSettings] {
    var settings: [String: TenantSettings] = [:]
    for event in events { if case .settingsChanged(let change) = event.event { settings[event.tenant] = change.settings } }
    return settings
}
