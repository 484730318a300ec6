import EventSourcing
public import EventStore
public import PGClient
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
        /// The global position of the last settings change that changed the match fields (nil: never changed).
        /// Matching waits until the match index has been rebuilt for it (``MatchingHold``).
        public var matchFieldsChangedAt: Int64? = nil
    }

    private let store: EventStore
    private var snapshots: [TenantID: Snapshot] = [:]

    /// Makes an empty cache.
    public init(store: EventStore) { self.store = store }

    /// The tenant's state, caught up with both streams' heads.
    /// - Throws: ``EventStore/EventStoreError``, or ``EventSourcing/UnreadableEvent`` for an event that cannot be decoded.
    public nonisolated func snapshot(of tenant: TenantID) async throws -> Snapshot {
        try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in try await self.snapshot(of: tenant, on: connection) }
    }

    /// The tenant's state, caught up with both streams' heads as seen by the caller's transaction (in the tenant's scope).
    /// - Throws: ``EventStore/EventStoreError``, or ``EventSourcing/UnreadableEvent`` for an event that cannot be decoded.
    public func snapshot(of tenant: TenantID, on connection: PGConnection) async throws -> Snapshot {
        let start = snapshots[tenant] ?? Snapshot(partnering: .initial, partneringVersion: 0, settings: .initial, settingsVersion: 0)
        let (partnersStream, settingsStream) = (try StreamID(StreamName.partners.rawValue), try StreamID(StreamName.settings.rawValue))
        let read = try await store.readStreams(
            [(partnersStream, start.partneringVersion + 1), (settingsStream, start.settingsVersion + 1)], of: tenant, on: connection)
        let (partners, settings) = (read[partnersStream] ?? [], read[settingsStream] ?? [])
        let partnerEvents = zip(partners.map(\.streamVersion), try DomainEvent.decode(partners).map(\.event))
        let settingsEvents = zip(settings, try DomainEvent.decode(settings).map(\.event))
        // No suspension from here on. Taking the state out of the dictionary leaves one reference to it, so the
        // fold changes it in place instead of copying every link (another task may have caught it up meanwhile).
        var snapshot = snapshots.removeValue(forKey: tenant) ?? start
        if snapshot.partneringVersion < start.partneringVersion || snapshot.settingsVersion < start.settingsVersion { snapshot = start }
        for (version, event) in partnerEvents where version > snapshot.partneringVersion {
            PartneringDecider.evolve(&snapshot.partnering, event)
            snapshot.partneringVersion = version
        }
        for (recorded, event) in settingsEvents where recorded.streamVersion > snapshot.settingsVersion {
            snapshot.settings = SettingsDecider.evolve(snapshot.settings, event)
            snapshot.settingsVersion = recorded.streamVersion
            if MatchingHold.changesMatchFields(event) { snapshot.matchFieldsChangedAt = recorded.globalPosition }
        }
        snapshots[tenant] = snapshot
        return snapshot
    }

    /// Folds into the tenant's partnering the `partners` events the caller appended itself, with `version` as the
    /// expected one (so nothing came between), so the next snapshot need not read them back and decode them. Changed in
    /// place when no reader holds the state. Ignored unless the state held is at `version`.
    /// - Parameters:
    ///   - events: the events appended to the `partners` stream, in their order.
    ///   - version: the stream's version before them.
    public func advance(_ tenant: TenantID, with events: [SyncEvent], from version: Int64) {
        guard var snapshot = snapshots.removeValue(forKey: tenant) else { return }
        if snapshot.partneringVersion == version {
            for event in events { PartneringDecider.evolve(&snapshot.partnering, event) }
            snapshot.partneringVersion = version + Int64(events.count)
        }
        snapshots[tenant] = snapshot
    }

    /// Forgets a tenant's state (e.g. after a failure that may have left it half caught up).
    public func forget(_ tenant: TenantID) { snapshots[tenant] = nil }
}
