public import EventStore
public import Ingest
public import Projections
public import SyncDomain

/// What the API and the web pages read, always for one tenant. ``TenantReadModels`` answers from PostgreSQL
/// (the projections' query APIs, the log, the webhook inbox); tests answer from memory.
public protocol TenantReads: Sendable {
    /// The numbers on the overview page.
    func overview(_ tenant: TenantID) async throws -> TenantOverview
    /// A page of customers, ordered by name, and how many match in all.
    func customers(_ tenant: TenantID, filter: CustomerFilter) async throws -> (rows: [CustomerRow], total: Int)
    /// Several customers by reference, in no particular order (unknown ones are left out).
    func customers(_ tenant: TenantID, refs: [CustomerRef]) async throws -> [CustomerRow]
    /// Every file customer (not deleted) by customer number, with its pair's agreed values: the customer-file export.
    func fileCustomers(_ tenant: TenantID) async throws -> [CustomerQueries.FileCustomer]
    /// Customers without a partner on one side (`source` or `economic`), by name, and how many there are.
    func unpartnered(_ tenant: TenantID, side: String, search: String?, limit: Int, offset: Int) async throws -> (rows: [UnpartneredRow], total: Int)
    /// Customers (not deleted) whose last automatic match or mapping failed, by name.
    func matchFailures(_ tenant: TenantID, search: String?, limit: Int, offset: Int) async throws -> (rows: [CustomerRow], total: Int)
    /// A page of linked pairs, newest first, and how many there are.
    func links(_ tenant: TenantID, search: String?, limit: Int, offset: Int) async throws -> (rows: [PartnerLinkRow], total: Int)
    /// Several links by id, in no particular order (unknown ones are left out).
    func links(_ tenant: TenantID, ids: [String]) async throws -> [PartnerLinkRow]
    /// Open conflicts, oldest first, then by link and field; only one link's when given, only the pairs with a customer
    /// whose name, e-mail or id contains `search` when given.
    func conflicts(_ tenant: TenantID, link: LinkID?, search: String?) async throws -> [ConflictRow]
    /// Partners being created, oldest first.
    func pendingCreations(_ tenant: TenantID) async throws -> [PendingCreationRow]
    /// A page of the outbound requests whose latest outcome is a failure, an abandonment or a wait for a rate limit,
    /// most recent first, and how many there are.
    func outboundProblems(_ tenant: TenantID, search: String?, limit: Int, offset: Int) async throws -> (rows: [OutboundProblem], total: Int)
    /// A customer's history across every stream that concerns it, oldest first (``Projections/CustomerTimeline``);
    /// empty when nothing in the tenant's log concerns the customer.
    func history(_ tenant: TenantID, _ ref: CustomerRef) async throws -> [TimelineEntry]
    /// The tenant's log replayed in memory under proposed settings (``Projections/ReplayFold``; nothing is
    /// written): the summary over every source customer and a page of the customers the proposal changes.
    func replay(_ tenant: TenantID, proposal: TenantSettings, limit: Int, offset: Int) async throws -> ReplayReport
    /// Customers of a side free to be partnered that may share one of `keys` (a loose first cut, at most
    /// `limit`: ``SyncDomain/PartnerSuggestion/rank(_:system:candidates:limit:)`` decides).
    func suggestionCandidates(_ tenant: TenantID, side: System, keys: [PartnerSuggestion.Reason: Set<MatchKey>], limit: Int) async throws
        -> [CustomerRow]
    /// The tenant's most recent webhook deliveries.
    func inbox(_ tenant: TenantID, limit: Int) async throws -> [WebhookInbox.Entry]
}

extension TenantReads {
    /// One customer, or nil when this tenant has no such customer.
    public func customer(_ tenant: TenantID, _ ref: CustomerRef) async throws -> CustomerRow? {
        try await customers(tenant, refs: [ref]).first
    }

    /// One link, or nil when this tenant has no such link.
    public func link(_ tenant: TenantID, _ id: LinkID) async throws -> PartnerLinkRow? {
        try await links(tenant, ids: [id.description]).first
    }
}
