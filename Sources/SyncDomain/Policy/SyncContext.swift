/// What the reactor knows when it reacts to an observation (filled from read models and streams).
public struct SyncContext: Sendable {
    /// The tenant's settings.
    public var settings: TenantSettings
    /// The `partners` stream's state.
    public var partnering: PartneringState
    /// The observed customer's stream state (its fields, exclusion, deletion, last failures).
    public var customer: CustomerState
    /// Current facts about another customer (the partner of a linked customer, or a matched
    /// e-conomic customer); `nil` when unknown.
    public var customerFacts: @Sendable (CustomerRef) -> CustomerFacts?
    /// The e-conomic customers indexed under a match key. Should leave out excluded and deleted
    /// customers; link and pending-creation information is added from ``partnering``.
    public var lookup: @Sendable (MatchKey) -> [MatchCandidate]
    /// The tenant's match fields changed and its match index is still being rebuilt: ``lookup`` may answer with
    /// the old fields' keys, so matching and creating wait (linked pairs still synchronise).
    public var matchingHeld: Bool

    /// Creates a context.
    public init(
        settings: TenantSettings, partnering: PartneringState, customer: CustomerState,
        customerFacts: @escaping @Sendable (CustomerRef) -> CustomerFacts? = { _ in nil },
        lookup: @escaping @Sendable (MatchKey) -> [MatchCandidate] = { _ in [] }, matchingHeld: Bool = false
    ) {
        self.settings = settings
        self.partnering = partnering
        self.customer = customer
        self.customerFacts = customerFacts
        self.lookup = lookup
        self.matchingHeld = matchingHeld
    }
}
