public import EventStore
import PGClient
import Projections
public import SyncDomain

/// Each tenant's partnering state (the fold of its `partners` stream) and settings, kept in memory and caught
/// up from the streams' heads on every use, so a decision is always made on the latest committed state and
/// appended with the stream version it was based on.
public actor TenantStateCache {
    /// A consistent view of one tenant's partnering and settings.
    public struct Snapshot: Sendable {
        /// The fold of the `partners` stream.
        public var partnering: PartneringState
        /// The `partners` stream's version the fold includes.
        public var partneringVersion: Int64
        /// The current settings.
        public var settings: SettingsState
        /// The `settings` stream's version.
        public var settingsVersion: Int64
    }

    private let store: EventStore
    private var snapshots: [TenantID: Snapshot] = [:]

    /// Makes an empty cache.
    public init(store: EventStore) { self.store = store }

    /// The tenant's state, caught up with both streams' heads.
    /// - Throws: ``EventStore/EventStoreError`` or a decoding error for a corrupt event.
    public func snapshot(of tenant: TenantID) async throws -> Snapshot {
        var snapshot = snapshots[tenant] ?? Snapshot(partnering: .initial, partneringVersion: 0, settings: .initial, settingsVersion: 0)
        let (partnersFrom, settingsFrom) = (snapshot.partneringVersion + 1, snapshot.settingsVersion + 1)
        let store = self.store
        let (partners, settings) = try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            (
                try await store.readStream(StreamID(StreamName.partners.rawValue), of: tenant, fromVersion: partnersFrom, limit: 1_000_000, on: connection),
                try await store.readStream(StreamID(StreamName.settings.rawValue), of: tenant, fromVersion: settingsFrom, limit: 1_000_000, on: connection)
            )
        }
        for event in try DomainEvent.decode(partners) {
            snapshot.partnering = PartneringDecider.evolve(snapshot.partnering, event.event)
        }
        for event in try DomainEvent.decode(settings) {
            snapshot.settings = SettingsDecider.evolve(snapshot.settings, event.event)
        }
        snapshot.partneringVersion = partners.last?.streamVersion ?? snapshot.partneringVersion
        snapshot.settingsVersion = settings.last?.streamVersion ?? snapshot.settingsVersion
        snapshots[tenant] = snapshot
        return snapshot
    }

    /// Forgets a tenant's state (e.g. after a failure that may have left it half caught up).
    public func forget(_ tenant: TenantID) { snapshots[tenant] = nil }
}
