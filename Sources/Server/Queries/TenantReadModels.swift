public import EventStore
import Foundation
public import Ingest
import PGClient
public import Projections
public import SyncDomain
public import SyncEngine

/// ``TenantReads`` from PostgreSQL: the read models through the query APIs of the projections that own them,
/// customers' histories and the outbound streams from the log, and the webhook inbox.
///
/// Every read runs in the tenant's scope (`pool.withTransaction(scope: .tenant(t))`), so row-level security
/// limits it to that tenant whatever its `WHERE` says.
public struct TenantReadModels: TenantReads {
    let store: EventStore
    var pool: PGConnectionPool { store.pool }
    var customerQueries: CustomerQueries { CustomerQueries(pool: pool) }
    var linkQueries: PartnerLinkQueries { PartnerLinkQueries(pool: pool) }

    /// Makes the reads over the event store (and its pool).
    public init(store: EventStore) { self.store = store }

    // MARK: Overview

    /// The overview. Every count comes from one snapshot (one repeatable-read transaction), so the numbers on the page
    /// agree with each other; the matching hold is read in it too.
    /// - Throws: database errors, or a decoding error for a corrupt outbound event or settings event.
    public func overview(_ tenant: TenantID) async throws -> TenantOverview {
        let (customers, partnering, inbox, hold, outbound) = try await pool.withTransaction(scope: .tenant(tenant), isolation: .repeatableRead) {
            connection in
            (
                try await CustomerQueries.counts(on: connection), try await PartnerLinkQueries.counts(on: connection),
                try await WebhookInbox.counts(on: connection), try await MatchingHold.current(of: tenant, store: store, on: connection),
                try await OutboundProblemQueries.failureCount(of: tenant, on: connection)
            )
        }
        var overview = TenantOverview(
            customers: customers, partnering: partnering, outboundFailures: outbound, inboxPending: inbox.pending, inboxFailed: inbox.failed)
        overview.matchingHold = hold
        return overview
    }

    // MARK: Customers

    /// A page of customers (``Projections/CustomerQueries/page(_:filter:)``).
    public func customers(_ tenant: TenantID, filter: CustomerFilter) async throws -> (rows: [CustomerRow], total: Int) {
        try await customerQueries.page(tenant, filter: filter)
    }

    /// Customers by reference (``Projections/CustomerQueries/customers(_:refs:)``).
    public func customers(_ tenant: TenantID, refs: [CustomerRef]) async throws -> [CustomerRow] {
        try await customerQueries.customers(tenant, refs: refs)
    }

    /// File customers for the export (``Projections/CustomerQueries/fileCustomers(_:)``).
    public func fileCustomers(_ tenant: TenantID) async throws -> [CustomerQueries.FileCustomer] {
        try await customerQueries.fileCustomers(tenant)
    }

    /// Unpartnered customers (``Projections/CustomerQueries/unpartnered(_:side:search:limit:offset:)``).
    public func unpartnered(_ tenant: TenantID, side: String, search: String?, limit: Int, offset: Int) async throws
        -> (rows: [UnpartneredRow], total: Int)
    {
        try await customerQueries.unpartnered(tenant, side: side, search: search, limit: limit, offset: offset)
    }

    /// Partner suggestion candidates (``Projections/CustomerQueries/suggestionCandidates(side:keys:tenant:limit:)``).
    public func suggestionCandidates(_ tenant: TenantID, side: System, keys: [PartnerSuggestion.Reason: Set<MatchKey>], limit: Int)
        async throws -> [CustomerRow]
    {
        try await customerQueries.suggestionCandidates(side: side, keys: keys, tenant: tenant, limit: limit)
    }

    /// Match and mapping failures (``Projections/CustomerQueries/failures(_:search:limit:offset:)``).
    public func matchFailures(_ tenant: TenantID, search: String?, limit: Int, offset: Int) async throws -> (rows: [CustomerRow], total: Int) {
        try await customerQueries.failures(tenant, search: search, limit: limit, offset: offset)
    }

    // MARK: Partnering

    /// A page of links (``Projections/PartnerLinkQueries/page(_:search:limit:offset:)``).
    public func links(_ tenant: TenantID, search: String?, limit: Int, offset: Int) async throws -> (rows: [PartnerLinkRow], total: Int) {
        try await linkQueries.page(tenant, search: search, limit: limit, offset: offset)
    }

    /// Links by id (``Projections/PartnerLinkQueries/links(_:ids:)``).
    public func links(_ tenant: TenantID, ids: [String]) async throws -> [PartnerLinkRow] {
        try await linkQueries.links(tenant, ids: ids)
    }

    /// Open conflicts (``Projections/PartnerLinkQueries/conflicts(_:link:search:)``).
    public func conflicts(_ tenant: TenantID, link: LinkID? = nil, search: String? = nil) async throws -> [ConflictRow] {
        try await linkQueries.conflicts(tenant, link: link, search: search)
    }

    /// Partners being created (``Projections/PartnerLinkQueries/pendingCreations(_:)``).
    public func pendingCreations(_ tenant: TenantID) async throws -> [PendingCreationRow] {
        try await linkQueries.pendingCreations(tenant)
    }

    // MARK: Log

    /// A page of failed outbound requests, and their total (``Projections/OutboundProblemQueries/problems(_:search:limit:offset:)``).
    public func outboundProblems(_ tenant: TenantID, search: String? = nil, limit: Int, offset: Int) async throws
        -> (rows: [OutboundProblem], total: Int)
    {
        let page = try await OutboundProblemQueries(pool: pool).problems(tenant, search: search, limit: limit, offset: offset)
        return (page.problems, page.total)
    }

    /// A customer's history across every stream that concerns it (``Projections/CustomerHistoryQueries``).
    /// - Throws: ``EventStore/EventStoreError``, or an unreadable event (never skipped).
    public func history(_ tenant: TenantID, _ ref: CustomerRef) async throws -> [TimelineEntry] {
        try await CustomerHistoryQueries(store: store).timeline(of: ref, tenant: tenant)
    }

    /// The tenant's log replayed under proposed settings, read page by page (``Projections/ReplayQueries``).
    public func replay(_ tenant: TenantID, proposal: TenantSettings, limit: Int, offset: Int) async throws -> ReplayReport {
        try await ReplayQueries(store: store).fold(tenant: tenant, proposal: proposal).report(limit: limit, offset: offset)
    }

    // MARK: Webhook inbox

    /// The tenant's most recent webhook deliveries.
    public func inbox(_ tenant: TenantID, limit: Int) async throws -> [WebhookInbox.Entry] {
        try await WebhookInbox(pool: pool).recent(tenant, limit: limit)
    }
}
