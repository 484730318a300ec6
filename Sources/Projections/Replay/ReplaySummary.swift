/// What a proposal would change across a tenant's source customers.
public struct ReplaySummary: Hashable, Sendable, Codable {
    /// Source customers replayed.
    public var customers: Int
    /// Customers the proposal partners differently (another outcome or another partner).
    public var matchChanged: Int
    /// Unlinked customers the proposal would link to an existing e-conomic customer.
    public var wouldLink: Int
    /// Unlinked customers for whom the proposal would create a partner.
    public var wouldCreate: Int
    /// Linked customers whose e-conomic values the proposal would set differently.
    public var wouldUpdate: Int
    /// Customers the proposal cannot map.
    public var mappingFailures: Int
    /// Per e-conomic field, how many customers it would differ for.
    public var fieldChanges: [String: Int]

    /// Creates a summary.
    public init(
        customers: Int = 0, matchChanged: Int = 0, wouldLink: Int = 0, wouldCreate: Int = 0, wouldUpdate: Int = 0, mappingFailures: Int = 0,
        fieldChanges: [String: Int] = [:]
    ) {
        self.customers = customers
        self.matchChanged = matchChanged
        self.wouldLink = wouldLink
        self.wouldCreate = wouldCreate
        self.wouldUpdate = wouldUpdate
        self.mappingFailures = mappingFailures
        self.fieldChanges = fieldChanges
    }

    /// The counts in words: "2 would match differently, 2 would be linked, 0 created and 40 updated".
    public var sentence: String {
        "\(matchChanged) would match differently, \(wouldLink) would be linked, \(wouldCreate) created and \(wouldUpdate) updated"
    }

    /// Counts one customer in.
    mutating func add(_ customer: CustomerReplay) {
        customers += 1
        if customer.matchChanged { matchChanged += 1 }
        if customer.proposed.isLinked && !customer.recorded.isLinked { wouldLink += 1 }
        if customer.proposed.outcome == .wouldCreate { wouldCreate += 1 }
        if customer.recorded.isLinked && customer.proposed.isLinked && !customer.differences.isEmpty { wouldUpdate += 1 }
        if customer.proposalProblem != nil { mappingFailures += 1 }
        for difference in customer.differences { fieldChanges[difference.field, default: 0] += 1 }
    }
}
