import EventSourcing
public import EventStore
import Foundation
import PGClient
public import SyncDomain

/// Loads what a customer's history needs from the log, in the tenant's scope, and folds it with
/// ``CustomerTimeline``: the customer's own stream; the `partners` events that name it, its links or its partner's
/// creations; the outbound streams of those links and creations; the `settings` stream (the match rule at each
/// decision). Every read is one tenant's, through the `(tenant_id, stream_id, stream_version)` index, in one
/// repeatable-read transaction (one snapshot). No read model is involved, so the answer never waits for a
/// projection and survives any rebuild.
public struct CustomerHistoryQueries: Sendable {
    let store: EventStore

    /// Makes the queries over the event store.
    public init(store: EventStore) { self.store = store }

    /// The customer's timeline, oldest first; empty when nothing in the tenant's log concerns the customer.
    /// - Throws: ``EventStore/EventStoreError`` from the database, or ``EventSourcing/UnreadableEvent`` for an event
    ///   this build cannot read (never skipped).
    public func timeline(of customer: CustomerRef, tenant: TenantID) async throws -> [TimelineEntry] {
        let recorded = try await events(of: customer, tenant: tenant)
        var events: [TimelineEvent] = []
        events.reserveCapacity(recorded.count)
        for event in recorded { events.append(try TimelineEvent(event)) }
        return CustomerTimeline.entries(of: customer, in: events)
    }

    /// The events the customer's timeline is folded from (a superset of those it shows), by global position.
    /// - Throws: ``EventStore/EventStoreError``, or ``EventSourcing/UnreadableEvent`` for a `partners` event that
    ///   cannot be read.
    public func events(of customer: CustomerRef, tenant: TenantID) async throws -> [RecordedEvent] {
        let partners = try StreamID(StreamName.partners.rawValue)
        return try await store.pool.withTransaction(scope: .tenant(tenant), isolation: .repeatableRead) { connection in
            var events = try await store.readStream(
                try StreamID(StreamName.customer(customer).rawValue), of: tenant, limit: Self.streamLimit, on: connection)
            events += try await store.readStream(try StreamID(StreamName.settings.rawValue), of: tenant, limit: Self.streamLimit, on: connection)
            // The links and creations that name the customer, then everything of those links and creations.
            let naming = try await store.readStream(
                partners, of: tenant, containingAny: try Self.documents(["source": customer, "economic": customer, "from": customer]),
                types: [PartnerLinked.typeName, PartnerCreationRequested.typeName], on: connection)
            let scope = TimelineScope(customer, events: try naming.map { try EventCodec.decode($0) })
            let about =
                try scope.links.sorted().map { try Self.document(["linkId": $0]) }
                + scope.requests.sorted().map { try Self.document(["requestId": $0]) }
            let partnering = try await store.readStream(partners, of: tenant, containingAny: about, on: connection)
            events += partnering
            let requests = CustomerTimeline.requests(of: customer, in: try partnering.map { try EventCodec.decode($0) })
            let outbound = try await store.readStreams(
                try requests.map { try StreamID(StreamName.outbound($0).rawValue) }, of: tenant, on: connection)
            events += outbound.values.joined()
            return events.sorted { $0.globalPosition < $1.globalPosition }
        }
    }

    /// The most events read from one stream (a customer's own stream, the settings).
    static let streamLimit = 1_000_000

    /// One JSON object per key (`{"source": …}`, `{"economic": …}`), spelled as the events store their payloads.
    private static func documents(_ members: [String: some Encodable]) throws -> [PGJSON] {
        try members.keys.sorted().map { try document([$0: members[$0]!]) }
    }

    /// A JSON object, spelled as the events store their payloads (``SyncDomain/SyncEvent/encode()``'s encoder).
    private static func document(_ members: [String: some Encodable]) throws -> PGJSON {
        PGJSON(text: String(decoding: try JSONEncoder().encode(members), as: UTF8.self))
    }
}
