import EventSourcing
public import EventStore
public import SyncDomain

/// The IO edge of a replay: streams one tenant's events in log order (`(txid, global_position)`, below the
/// watermark) page by page through the per-tenant index `events_tenant_txid_position` — never another tenant's
/// events — and feeds them to a ``ReplayFold``. Each page is its own short transaction in the tenant's scope; nothing
/// is written. Memory holds one page and the fold's per-customer state.
public struct ReplayQueries: Sendable {
    let store: EventStore

    /// Makes the queries over the event store.
    public init(store: EventStore) { self.store = store }

    /// How far a replay has read.
    public struct Progress: Sendable, Hashable {
        /// Events folded so far.
        public var read: Int
        /// Events to fold in all (counted before the first page).
        public var total: Int
    }

    /// Folds the tenant's log under proposed settings, up to a past position when given (time travel).
    /// - Parameters:
    ///   - tenant: The tenant.
    ///   - proposal: The proposed settings (validated: ``ProposedSettings``).
    ///   - position: The last global position to fold, or `nil` for the whole log.
    ///   - pageSize: Events per read.
    ///   - progress: Called after every page.
    /// - Throws: ``ReplayError`` (`unknownPosition`), ``EventStore/EventStoreError``, or
    ///   ``EventSourcing/UnreadableEvent`` for an event this build cannot read (never skipped).
    public func fold(
        tenant: TenantID, proposal: TenantSettings, at position: Int64? = nil, pageSize: Int = 5_000,
        progress: @Sendable (Progress) -> Void = { _ in }
    ) async throws -> ReplayFold {
        let (end, total) = try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            var end: Checkpoint?
            if let position {
                guard let checkpoint = try await store.checkpoint(atPosition: position, of: tenant, on: connection) else {
                    throw ReplayError(
                        code: .unknownPosition,
                        message: "position \(position) holds no event of tenant '\(tenant)' (`accord history` shows positions)")
                }
                end = checkpoint
            }
            return (end, try await store.countEvents(until: end, tenant: tenant, on: connection))
        }
        var fold = ReplayFold(proposal: proposal)
        var checkpoint = Checkpoint.origin
        while true {
            let page = try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
                try await store.readForward(after: checkpoint, until: end, limit: pageSize, tenant: tenant, on: connection)
            }
            for recorded in page { fold.apply(try EventCodec.decode(recorded), position: recorded.globalPosition) }
            checkpoint = page.last?.checkpoint ?? checkpoint
            progress(Progress(read: fold.events, total: max(total, fold.events)))
            if page.count < pageSize { return fold }
        }
    }
}
