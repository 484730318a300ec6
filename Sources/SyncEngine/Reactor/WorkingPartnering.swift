import EventStore
import SyncDomain
import Synchronization

/// Each tenant's partnering as the reactor's batches fold it forward, kept apart from the ``TenantStateCache``'s copy so
/// that a batch changes its own in place: a batch that evolved the cache's state shared it with the cache, and its
/// first change copied the tenant's whole state — every link — and the cache's next change freed the old one (a
/// third of a batch's decisions at 30,000 customers, growing with the tenant). Both copies are folded with the same
/// events (the batch's own, which it appends with the version it read as the expected one), so they agree; a batch
/// takes this one only when it is at the version the batch read from the stream.
///
/// Kept while a tenant has a backlog: a turn forgets the tenants it caught up (``forget(_:)``).
final class WorkingPartnering: Sendable {
    private let states = Mutex<[TenantID: (partnering: PartneringState, version: Int64)]>([:])

    /// Takes the tenant's partnering out if it is kept at `version` (the caller then holds its only reference); nil
    /// when none is kept or it is at another version (then it is dropped).
    func take(_ tenant: TenantID, at version: Int64) -> PartneringState? {
        guard let kept = states.withLock({ $0.removeValue(forKey: tenant) }), kept.version == version else { return nil }
        return kept.partnering
    }

    /// Keeps a tenant's partnering, the fold of its `partners` stream up to `version`, for its next batch.
    func keep(_ partnering: consuming PartneringState, version: Int64, for tenant: TenantID) {
        states.withLock { $0[tenant] = (partnering, version) }
    }

    /// Forgets tenants' partnering (caught up, or handed to another task).
    func forget(_ tenants: some Sequence<TenantID>) {
        states.withLock { states in
            for tenant in tenants { states[tenant] = nil }
        }
    }
}
