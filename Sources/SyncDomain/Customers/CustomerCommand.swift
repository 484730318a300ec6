/// Commands on one customer stream.
public enum CustomerCommand: Hashable, Sendable {
    /// Record what a system reports about the customer.
    case observe(CustomerObserved)
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
