import EventSourcing
public import EventStore
public import Foundation
public import PGClient
public import Projections
public import SyncDomain

/// A tenant's matching, held while its match index is rebuilt after a change of its match fields.
///
/// The reactor decides with the new match fields at once, but the index keeps the old fields' keys for the
/// customers observed before the change until the rebuild the change asked for has been swapped in: a customer
/// that matches under the new fields would find nothing, and automatic create would make a duplicate. So from the
/// change (as soon as it is in the `settings` stream, before the rebuild is even asked for) until that rebuild —
/// or one for a later change — has finished, the reactor neither matches nor creates for the tenant; linked pairs
/// still synchronise. The events whose decisions wait are parked (``HeldDecisions``) and decided once the hold
/// ends (``HeldDecisionService``), their ids still derived from the events themselves.
public struct MatchingHold: Sendable, Hashable, Codable {
    /// When the match fields changed.
    public var since: Date
    /// The settings version that changed them.
    public var settingsVersion: Int
    /// Where the match index's rebuild stands.
    public var rebuild: RebuildRequestState
    /// Events whose decisions wait (customers to match, or to create partners for, once the index is rebuilt).
    public var heldDecisions: Int

    /// The projection the hold waits for.
    static let index = MatchIndexProjector().name

    /// Whether a settings event changes the match fields, so that matching must wait for the index's rebuild.
    static func changesMatchFields(_ event: SyncEvent) -> Bool {
        guard case .settingsChanged(let change) = event else { return false }
        return change.matchFieldsChanged
    }

    /// Whether matching is held for a tenant, given its snapshot (read in the caller's transaction, in the
    /// tenant's scope, so that the index it then reads is at least as new as the rebuild found finished).
    /// - Throws: ``PGClient/PGError``.
    static func isHeld(_ snapshot: TenantStateCache.Snapshot, tenant: TenantID, on connection: PGConnection) async throws -> Bool {
        guard let change = snapshot.matchFieldsChangedAt else { return false }
        return try await RebuildRequestState.of(projection: index, tenant: tenant, causedAtOrAfter: change, on: connection) != .finished
    }

    /// The tenant's hold, or nil when its matching is not held; read in the caller's transaction (the tenant's scope).
    /// - Throws: ``EventStore/EventStoreError``, ``PGClient/PGError``, or ``EventSourcing/UnreadableEvent`` for a settings
    ///   event this build cannot read.
    public static func current(of tenant: TenantID, store: EventStore, on connection: PGConnection) async throws -> MatchingHold? {
        let settings = try await store.readStream(StreamID(StreamName.settings.rawValue), of: tenant, limit: 1_000_000, on: connection)
        let changes = zip(settings, try DomainEvent.decode(settings)).filter { changesMatchFields($0.1.event) }
        guard let (recorded, decoded) = changes.last, case .settingsChanged(let change) = decoded.event else { return nil }
        let rebuild = try await RebuildRequestState.of(projection: index, tenant: tenant, causedAtOrAfter: recorded.globalPosition, on: connection)
        guard rebuild != .finished else { return nil }
        return MatchingHold(
            since: recorded.recordedAt, settingsVersion: change.settings.version, rebuild: rebuild,
            heldDecisions: try await HeldDecisions.count(on: connection))
    }

    /// Every tenant whose matching is held, by tenant: those with a match-field rebuild not yet done or with held
    /// decisions. (A change whose rebuild the settings projector has not asked for yet, with nothing held so far,
    /// shows once it has: a moment later.)
    /// - Throws: as ``current(of:store:on:)``.
    public static func all(store: EventStore) async throws -> [(tenant: TenantID, hold: MatchingHold)] {
        let candidates = try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                SELECT tenant_id FROM projection_rebuild_requests
                WHERE projection = \(index) AND tenant_id IS NOT NULL AND cause_position IS NOT NULL AND finished_at IS NULL
                UNION SELECT tenant_id FROM reactor_held_decisions
                ORDER BY 1
                """
            ).decode((String).self)
        }
        var holds: [(TenantID, MatchingHold)] = []
        for id in candidates {
            let tenant = try TenantID(id)
            let hold = try await store.pool.withTransaction(scope: .tenant(tenant)) { try await current(of: tenant, store: store, on: $0) }
            if let hold { holds.append((tenant, hold)) }
        }
        return holds
    }
}
