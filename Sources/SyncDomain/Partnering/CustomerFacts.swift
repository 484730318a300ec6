/// What a command handler knows about one customer from its read models.
public struct CustomerFacts: Hashable, Sendable, Codable {
    /// The customer.
    public var customer: CustomerRef
    /// Its current fields (its system's vocabulary).
    public var fields: [String: String]
    /// Whether a user excluded it ("Don't synchronise").
    public var isExcluded: Bool
    /// Whether its system deleted it.
    public var isDeleted: Bool

    /// Creates facts.
    public init(customer: CustomerRef, fields: [String: String], isExcluded: Bool = false, isDeleted: Bool = false) {
        self.customer = customer
        self.fields = fields
        self.isExcluded = isExcluded
        self.isDeleted = isDeleted
    }

    /// Facts from a customer stream's state; `nil` when nothing was observed.
    /// - Parameter state: The customer's state.
    public init?(_ state: CustomerState) {
        guard let customer = state.customer, state.exists else { return nil }
        self.init(customer: customer, fields: state.fields, isExcluded: state.isExcluded, isDeleted: state.isDeleted)
    }
}
