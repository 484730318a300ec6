/// Commands on a tenant's `partners` stream.
public enum PartneringCommand: Hashable, Sendable {
    /// Pair two existing customers by hand.
    case selectPartner(source: CustomerRef, economic: CustomerRef)
    /// Split a pair (the customers stay).
    case unlink(LinkID)
    /// Create the partner of one customer in the opposite system: a source customer gets an
    /// e-conomic customer (through an outbound request); an e-conomic customer gets a file customer
    /// (immediately).
    case createPartner(CustomerRef, numbering: PartnerNumbering)
    /// Create the partner of an e-conomic customer in Stripe (through an outbound request): a Stripe customer with
    /// its mapped fields, carrying its e-conomic number in metadata.
    case createStripePartner(CustomerRef)
    /// ``createPartner(_:numbering:)`` for every unpartnered, included, undeleted customer of a system
    /// (as listed in the context) that has no creation under way.
    case createPartners(side: System, numbering: PartnerNumbering)
    /// Resolve conflicts field by field; both sides are then brought to the chosen values.
    case resolveConflict(LinkID, choices: [String: ConflictChoice])
    /// Stop synchronising a pair.
    case stopSync(LinkID)
    /// Restart synchronising a stopped pair.
    case restartSync(LinkID)
    /// Link a created e-conomic customer once the outbound worker reports its number.
    case linkCreatedPartner(RequestID, customerNumber: Int)
    /// Link a created Stripe customer, once the worker reports it or its own observation arrives first.
    case linkCreatedStripePartner(RequestID, customerId: String)
    /// Give up a pending creation (e.g. after its request was abandoned).
    case cancelCreation(RequestID, reason: String)
}
