/// Decides and folds one customer stream (`customer-<system>-<id>`).
///
/// Observations: blank values are dropped; an observation identical to the current fields appends
/// nothing; one whose `sourceUpdatedAt` is older than the newest recorded one appends nothing (it
/// must not overwrite newer data; equal timestamps are accepted, later delivery wins), and so does a
/// repeated `sourceEventId`. A newer observation after a deletion revives the customer (files can
/// re-add rows). Identical observations are not recorded, so a stale observation that is newer
/// than the last *recorded* one but older than an unrecorded identical one is accepted; webhook
/// handlers that care re-fetch the customer instead of trusting event payloads.
///
/// A customer first seen through its creation (`observeCreated`) is recorded as created, then as it is now, when
/// the two differ: the creation event's own copy is the one payload that is never stale for a first sight.
public enum CustomerDecider: Decider {
    /// Why a customer command is refused.
    public enum Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        /// Nothing was ever observed for the customer.
        case unknownCustomer(CustomerRef)
        /// The customer is already excluded.
        case alreadyExcluded(CustomerRef)
        /// The customer is not excluded, so there is nothing to undo.
        case notExcluded(CustomerRef)

        /// A message naming the customer.
        public var description: String {
            switch self {
            case .unknownCustomer(let ref): "Customer \(ref) is not known to Accord."
            case .alreadyExcluded(let ref): "Customer \(ref) is already excluded from synchronisation."
            case .notExcluded(let ref): "Customer \(ref) is not excluded from synchronisation."
            }
        }
    }

    /// A stream with no events: nothing observed yet.
    public static var initial: CustomerState { .initial }

    /// Decides the events for a command.
    /// - Parameters:
    ///   - command: The command.
    ///   - state: The stream's current state.
    ///   - context: Nothing: a customer's own stream is all its decisions need.
    /// - Returns: Events for the customer's stream (possibly none).
    /// - Throws: ``Error``.
    public static func decide(_ command: CustomerCommand, state: CustomerState, context: Void = ()) throws(Error) -> [SyncEvent] {
        switch command {
        case .observe(let observed):
            var observed = observed
            observed.fields = FieldValues.cleaned(observed.fields)
            if let id = observed.sourceEventId, id == state.lastSourceEventId { return [] }
            if let at = observed.sourceUpdatedAt, let last = state.lastSourceUpdatedAt, at < last { return [] }
            if state.exists && !state.isDeleted && state.fields == observed.fields { return [] }
            return [.customerObserved(observed)]

        case .observeCreated(let created, let current):
            let born = CustomerObserved(customer: current.customer, fields: created, sourceUpdatedAt: current.sourceUpdatedAt)
            let bornFields = FieldValues.cleaned(created)
            guard !state.exists, !bornFields.isEmpty, bornFields != FieldValues.cleaned(current.fields) else {
                return try decide(.observe(current), state: state)
            }
            let first = try decide(.observe(born), state: state)
            return try first + decide(.observe(current), state: first.reduce(state, evolve))

        case .delete(let deleted):
            guard state.exists, !state.isDeleted else { return [] }
            if let id = deleted.sourceEventId, id == state.lastSourceEventId { return [] }
            if let at = deleted.sourceUpdatedAt, let last = state.lastSourceUpdatedAt, at < last { return [] }
            return [.customerDeleted(deleted)]

        case .exclude(let ref):
            guard state.exists else { throw .unknownCustomer(ref) }
            guard !state.isExcluded else { throw .alreadyExcluded(ref) }
            return [.customerExcluded(CustomerExcluded(customer: ref))]

        case .include(let ref):
            guard state.exists else { throw .unknownCustomer(ref) }
            guard state.isExcluded else { throw .notExcluded(ref) }
            return [.customerIncluded(CustomerIncluded(customer: ref))]

        case .recordMatchFailure(let ref, let failure):
            guard state.exists else { throw .unknownCustomer(ref) }
            guard state.lastMatchFailure != failure else { return [] }
            return [.matchFailed(MatchFailed(customer: ref, reason: failure))]

        case .recordMappingFailure(let ref, let linkId, let error):
            guard state.exists else { throw .unknownCustomer(ref) }
            guard state.lastMappingFailure != error else { return [] }
            return [.mappingFailed(MappingFailed(customer: ref, linkId: linkId, error: error))]
        }
    }

    /// Applies one event. Events of other streams leave the state unchanged.
    /// - Parameters:
    ///   - state: The state before.
    ///   - event: The event.
    public static func evolve(_ state: CustomerState, _ event: SyncEvent) -> CustomerState {
        var state = state
        switch event {
        case .customerObserved(let e):
            state.customer = e.customer
            state.fields = FieldValues.cleaned(e.fields)
            state.exists = true
            state.isDeleted = false
            state.lastSourceUpdatedAt = max(e.sourceUpdatedAt, state.lastSourceUpdatedAt)
            state.lastSourceEventId = e.sourceEventId ?? state.lastSourceEventId
            state.lastMatchFailure = nil
            state.lastMappingFailure = nil
        case .customerDeleted(let e):
            state.customer = e.customer
            state.isDeleted = true
            state.lastSourceUpdatedAt = max(e.sourceUpdatedAt, state.lastSourceUpdatedAt)
            state.lastSourceEventId = e.sourceEventId ?? state.lastSourceEventId
        case .customerExcluded:
            state.isExcluded = true
        case .customerIncluded:
            state.isExcluded = false
        case .matchFailed(let e):
            state.lastMatchFailure = e.reason
        case .mappingFailed(let e):
            state.lastMappingFailure = e.error
        default:
            break
        }
        return state
    }
}
