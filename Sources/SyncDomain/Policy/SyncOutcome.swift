/// What the reactor concluded, for logs and the activity view (the events are the decisions).
public enum SyncOutcome: Hashable, Sendable {
    /// The customer (or its partner) is excluded: nothing is done.
    case excluded(CustomerRef)
    /// The customer is deleted: nothing is done.
    case deleted
    /// The partner of the linked customer was deleted in its system: nothing is done (the pair shows
    /// up for review).
    case partnerDeleted(CustomerRef)
    /// The pair's synchronisation is stopped.
    case stopped(LinkID)
    /// The pair is linked but the partner's current fields are not known yet.
    case waitingForPartner(LinkID)
    /// The linked pair was compared; the events (possibly none) bring it into agreement.
    case synchronized(LinkID)
    /// The customer's values cannot be written to e-conomic (a `MappingFailed` is recorded).
    case mappingFailed
    /// The customer was matched and linked by this key.
    case linked(LinkID, key: MatchKey)
    /// Matching failed (a `MatchFailed` is recorded unless the same failure already is).
    case matchFailed(MatchFailure)
    /// A new e-conomic customer was requested.
    case creationRequested(RequestID)
    /// A creation for this customer is already under way.
    case creationPending(RequestID)
    /// No match and the create policy is manual: the customer waits for a user.
    case leftUnpartnered
    /// An e-conomic customer without a partner: only the match index cares.
    case unpartneredEconomicCustomer
    /// A requested partner was created and is now linked.
    case partnerCreated(LinkID)
    /// A partner was created but its customer got another partner meanwhile; the creation is
    /// cancelled and the new e-conomic customer stays unlinked.
    case creationOrphaned(RequestID)
    /// The outcome of a link's open write was folded into the link (and the pair synchronised from it).
    case writeSettled(LinkID)
    /// Nothing concerns the reactor.
    case nothingToDo
}
