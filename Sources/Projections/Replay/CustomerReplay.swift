public import SyncDomain

/// One source customer replayed: its match result as recorded and under the proposal, the e-conomic values actually
/// sent for it and those the proposal would have sent at the same moments, and where they differ.
public struct CustomerReplay: Hashable, Sendable, Codable {
    /// The source customer (Stripe or file).
    public var customer: CustomerRef
    /// The customer's current fields (at the replay's position).
    public var fields: [String: String]
    /// The match result the log records.
    public var recorded: ReplayMatch
    /// The match result under the proposal (a link is kept: rules never unlink).
    public var proposed: ReplayMatch
    /// The last value per e-conomic field actually sent for the customer (creates and updates that succeeded).
    public var sent: [String: String]
    /// What the proposal would have sent at the same moments — or, for a customer it would newly create, the
    /// create payload.
    public var proposedPayload: [String: String]
    /// The fields on which ``sent`` and ``proposedPayload`` disagree.
    public var differences: [FieldDifference]
    /// Why the proposal could not map the customer, if it could not.
    public var proposalProblem: String?
    /// The partner's creation, when Accord requested one.
    public var creation: CreationRecord?

    /// Creates an entry.
    public init(
        customer: CustomerRef, fields: [String: String], recorded: ReplayMatch, proposed: ReplayMatch, sent: [String: String],
        proposedPayload: [String: String], differences: [FieldDifference], proposalProblem: String? = nil, creation: CreationRecord? = nil
    ) {
        self.customer = customer
        self.fields = fields
        self.recorded = recorded
        self.proposed = proposed
        self.sent = sent
        self.proposedPayload = proposedPayload
        self.differences = differences
        self.proposalProblem = proposalProblem
        self.creation = creation
    }

    /// Whether the proposal partners the customer differently.
    public var matchChanged: Bool { !recorded.samePartnering(as: proposed) }

    /// Whether the proposal changes anything for the customer.
    public var isChanged: Bool { matchChanged || !differences.isEmpty || proposalProblem != nil }
}
