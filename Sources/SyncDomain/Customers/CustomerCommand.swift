/// Commands on one customer stream.
public enum CustomerCommand: Hashable, Sendable {
    /// Record what a system reports about the customer.
    case observe(CustomerObserved)
    /// Record what a system reports now about a customer it reports as created, with the fields it was created
    /// with: when nothing of the customer was observed yet, those are recorded first, so matching sees the customer
    /// as it was born and a change made since reaches its partner as a change (not as a reason to create another).
    case observeCreated(created: [String: String], current: CustomerObserved)
    /// Record that the system deleted the customer.
    case delete(CustomerDeleted)
    /// "Don't synchronise" the customer.
    case exclude(CustomerRef)
    /// Undo "Don't synchronise".
    case include(CustomerRef)
    /// Record why the customer could not be matched.
    case recordMatchFailure(CustomerRef, MatchFailure)
    /// Record why the customer cannot be mapped to e-conomic.
    case recordMappingFailure(CustomerRef, linkId: LinkID?, MappingError)
}
