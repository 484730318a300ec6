import EventStore
import EventSourcing
import Foundation
import PGClient
import Projections
import SyncDomain
import SyncEngine

/// Accord's engine in memory, for the server's tests without PostgreSQL: one log of events, commands decided by
/// the domain's own deciders on states folded from that log (`MemoryEngine+Commands`), the sync policy applied
/// on `settle()` (`MemoryEngine+Reactor`), and read models folded with the projections' own models
/// (``Projections/ReferenceReadModels``, whose queries the projection tests hold to the SQL).
///
/// Nothing here decides what the domain does not; an actor, so a decision and its append are never interleaved
/// with another (the event store's expected versions are what guarantees that in PostgreSQL).
actor MemoryEngine {
    /// The tenants that exist (a command for another is refused, as the event store refuses it).
    let tenants: Set<TenantID>
    private(set) var log: [RecordedEvent] = []
    private var decoded: [SyncEvent] = []
    private var versions: [TenantID: [StreamName: Int64]] = [:]
    /// How far the reactor has got (an index into the log).
    var reacted = 0

    init(tenants: Set<TenantID>) { self.tenants = tenants }

    // MARK: Appending

    /// Appends events to their home streams, in order, as one command's outcome.
    /// - Throws: ``SyncEngine/CommandError`` `unknownTenant`, or an encoding error.
    @discardableResult
    func append(_ events: [SyncEvent], tenant: TenantID, metadata: CommandMetadata) throws -> CommandResult {
        guard tenants.contains(tenant) else { throw CommandError(code: .unknownTenant, message: "tenant \(tenant) does not exist") }
        let stored = try PGJSON(
            encoding: EventMetadata(
                actor: metadata.actor, correlationID: metadata.correlationID, causationPosition: metadata.causationPosition,
                sourceEventID: metadata.sourceEventID))
        var positions: [Int64] = []
        for event in events {
            let encoded = try event.encode()
            let version = (versions[tenant]?[event.homeStream] ?? 0) + 1
            versions[tenant, default: [:]][event.homeStream] = version
            let position = Int64(log.count + 1)
            log.append(
                RecordedEvent(
                    globalPosition: position, transactionID: UInt64(position), tenant: tenant, stream: try StreamID(event.homeStream.rawValue),
                    streamVersion: version, type: encoded.type, schemaVersion: Int32(encoded.schemaVersion),
                    data: PGJSON(text: String(decoding: encoded.data, as: UTF8.self)), metadata: stored, recordedAt: Date()))
            decoded.append(event)
            positions.append(position)
        }
        return CommandResult(appended: events, at: positions)
    }

    // MARK: Reading

    /// A tenant's events, in order.
    func events(of tenant: TenantID) -> [SyncEvent] {
        zip(log, decoded).filter { $0.0.tenant == tenant }.map(\.1)
    }

    /// The decoded event at a log index.
    func event(at index: Int) -> SyncEvent { decoded[index] }

    /// The fold of the tenant's `partners` stream.
    func partnering(_ tenant: TenantID) -> PartneringState {
        streamEvents(.partners, of: tenant).reduce(PartneringState.initial) { PartneringDecider.evolve($0, $1) }
    }

    /// The fold of the tenant's `settings` stream.
    func settings(_ tenant: TenantID) -> SettingsState {
        streamEvents(.settings, of: tenant).reduce(SettingsState.initial) { SettingsDecider.evolve($0, $1) }
    }

    /// The fold of a customer's stream.
    func customer(_ ref: CustomerRef, of tenant: TenantID) -> CustomerState {
        streamEvents(.customer(ref), of: tenant).reduce(CustomerState(customer: ref)) { CustomerDecider.evolve($0, $1) }
    }

    /// The fold of an outbound request's stream.
    func outbound(_ request: RequestID, of tenant: TenantID) -> OutboundState {
        streamEvents(.outbound(request), of: tenant).reduce(OutboundState.initial) { OutboundDecider.evolve($0, $1) }
    }

    /// Every read model, folded from the whole log with each tenant's current rules (as the projections are
    /// once a rule change has been rebuilt).
    func readModels() -> ReferenceReadModels {
        let events = zip(log, decoded).map {
            DomainEvent(tenant: $0.0.tenant.rawValue, position: $0.0.globalPosition, recordedAt: $0.0.recordedAt, event: $0.1)
        }
        var rules: [String: TenantSettings] = [:]
        for tenant in tenants { rules[tenant.rawValue] = settings(tenant).effective }
        return ReferenceReadModels.fold(events, settings: { rules[$0] ?? .default })
    }

    private func streamEvents(_ name: StreamName, of tenant: TenantID) -> [SyncEvent] {
        zip(log, decoded).filter { $0.0.tenant == tenant && $0.0.stream.rawValue == name.rawValue }.map(\.1)
    }
}
