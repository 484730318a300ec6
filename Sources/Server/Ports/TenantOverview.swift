public import Projections
public import SyncEngine

/// The numbers on the overview page.
public struct TenantOverview: Codable, Sendable, Hashable {
    /// Linked pairs being synchronised.
    public var synchronised: Int
    /// Linked pairs whose synchronisation is stopped.
    public var stopped: Int
    /// Linked pairs with at least one open conflict.
    public var conflicts: Int
    /// Open conflicting fields in all.
    public var conflictingFields: Int
    /// Source (Stripe and file) customers without a partner.
    public var unpartneredSource: Int
    /// e-conomic customers without a partner.
    public var unpartneredEconomic: Int
    /// Customers whose automatic match or mapping failed.
    public var matchFailures: Int
    /// Partners being created.
    public var pendingCreations: Int
    /// Outbound requests that failed (retrying) or were abandoned.
    public var outboundFailures: Int
    /// Webhook deliveries waiting to be processed.
    public var inboxPending: Int
    /// Webhook deliveries that failed for good.
    public var inboxFailed: Int
    /// Customers excluded from synchronisation.
    public var excluded: Int
    /// Set while the tenant's matching waits for its match index to be rebuilt after a change of match fields:
    /// new customers are neither matched nor created until then (absent otherwise).
    public var matchingHold: MatchingHold? = nil

    /// The overview from the read models' counts, the outbound failures and the webhook inbox's counts.
    public init(customers: CustomerQueries.Counts, partnering: PartnerLinkQueries.Counts, outboundFailures: Int, inboxPending: Int, inboxFailed: Int)
    {
        synchronised = partnering.synchronised
        stopped = partnering.stopped
        conflicts = partnering.conflictedLinks
        conflictingFields = partnering.conflictingFields
        unpartneredSource = customers.unpartneredSource
        unpartneredEconomic = customers.unpartneredEconomic
        matchFailures = customers.failures
        pendingCreations = partnering.pendingCreations
        self.outboundFailures = outboundFailures
        self.inboxPending = inboxPending
        self.inboxFailed = inboxFailed
        excluded = customers.excluded
    }
}
