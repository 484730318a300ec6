import Foundation

/// Decides and folds a tenant's `partners` stream: linking, unlinking, creating partners, resolving
/// conflicts, stopping and restarting. Facts about customers come in a ``PartneringContext``.
///
/// Events returned may belong to other streams too (see ``SyncEvent/homeStream``): write requests
/// open `outbound-<id>` streams, and a file partner created from an e-conomic customer opens its
/// `customer-file-<id>` stream.
///
/// The commands themselves are in `PartneringDecider+Commands.swift`, the fold in `PartneringDecider+Evolve.swift`.
public enum PartneringDecider: Decider {
    /// Why a partnering command is refused. Descriptions name the customers, links or fields.
    public enum Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        /// The context has no facts about the customer.
        case unknownCustomer(CustomerRef)
        /// The customer is excluded ("Don't synchronise").
        case customerExcluded(CustomerRef)
        /// The customer was deleted in its system.
        case customerDeleted(CustomerRef)
        /// The customer already has a partner.
        case alreadyPartnered(CustomerRef, partner: CustomerRef)
        /// A partner of the customer is being created.
        case creationPending(CustomerRef, requestId: RequestID)
        /// A pair must be a source (Stripe or file) customer and an e-conomic customer.
        case invalidPair(source: CustomerRef, economic: CustomerRef)
        /// The chosen customer number already exists in e-conomic (or is reserved by a creation).
        case customerNumberTaken(Int)
        /// The chosen customer number is outside 1…999 999 999.
        case invalidCustomerNumber(Int)
        /// A file customer with the chosen key already exists.
        case fileCustomerTaken(CustomerRef)
        /// The customer's values cannot be written to e-conomic.
        case mappingFailed(CustomerRef, MappingError)
        /// No such link.
        case unknownLink(LinkID)
        /// The pair's synchronisation is already stopped.
        case alreadyStopped(LinkID)
        /// The pair's synchronisation is not stopped.
        case notStopped(LinkID)
        /// A conflict resolution without any choice.
        case noChoices(LinkID)
        /// The field has no open conflict on the link.
        case noOpenConflict(LinkID, field: String)
        /// A chosen value cannot be written.
        case invalidChoice(LinkID, field: String, problem: MappingProblem)
        /// No pending creation has this request id.
        case unknownRequest(RequestID)
        /// Only an e-conomic customer's partner can be created in Stripe.
        case notAnEconomicCustomer(CustomerRef)

        /// A message a user can act on.
        public var description: String {
            switch self {
            case .unknownCustomer(let ref): "Customer \(ref) is not known to Accord."
            case .customerExcluded(let ref): "Customer \(ref) is excluded from synchronisation; include it first."
            case .customerDeleted(let ref): "Customer \(ref) was deleted in its system."
            case .alreadyPartnered(let ref, let partner): "Customer \(ref) is already partnered with \(partner); unlink them first."
            case .creationPending(let ref, let id): "A partner of \(ref) is already being created (request \(id))."
            case .invalidPair(let source, let economic):
                "\(source) and \(economic) cannot be partners: pair a Stripe or file customer with an e-conomic customer."
            case .customerNumberTaken(let number):
                "Customer number \(number) is already used in e-conomic; choose another or let e-conomic assign one."
            case .invalidCustomerNumber(let number): "Customer number \(number) is invalid; it must be between 1 and 999999999."
            case .fileCustomerTaken(let ref): "A file customer \(ref) already exists; choose another number."
            case .mappingFailed(let ref, let error): "Customer \(ref) cannot be written to e-conomic: \(error)"
            case .unknownLink(let id): "There is no partner link \(id)."
            case .alreadyStopped(let id): "Synchronisation of link \(id) is already stopped."
            case .notStopped(let id): "Synchronisation of link \(id) is not stopped."
            case .noChoices(let id): "Choose a value for at least one conflicting field of link \(id)."
            case .noOpenConflict(let id, let field): "Link \(id) has no open conflict on '\(field)'."
            case .invalidChoice(let id, let field, let problem): "The value chosen for '\(field)' on link \(id) cannot be used: \(problem)"
            case .unknownRequest(let id): "No partner creation is pending for request \(id)."
            case .notAnEconomicCustomer(let ref): "Only an e-conomic customer's partner can be created in Stripe; \(ref) is not one."
            }
        }
    }

    /// A stream with no events: no links, conflicts or pending creations.
    public static var initial: PartneringState { .initial }

    /// Decides the events for a command.
    /// - Parameters:
    ///   - command: The command.
    ///   - state: The `partners` stream's state.
    ///   - context: Facts from read models and the command id.
    /// - Throws: ``Error``.
    public static func decide(_ command: PartneringCommand, state: PartneringState, context: PartneringContext) throws(Error) -> [SyncEvent] {
        switch command {
        case .selectPartner(let source, let economic):
            return try selectPartner(source: source, economic: economic, state: state, context: context)

        case .unlink(let id):
            guard state.links[id] != nil else { throw .unknownLink(id) }
            return [.partnerUnlinked(PartnerUnlinked(linkId: id, reason: .user))]

        case .createPartner(let ref, let numbering):
            var taken = takenNumbers(state: state, context: context)
            var fileIds = takenFileIds(context: context)
            return try createPartner(ref, numbering: numbering, state: state, context: context, takenNumbers: &taken, takenFileIds: &fileIds)

        case .createStripePartner(let ref):
            return try createStripePartner(ref, state: state, context: context)

        case .createPartners(let side, let numbering):
            return planCreatePartners(side: side, numbering: numbering, state: state, context: context).events

        case .resolveConflict(let id, let choices):
            return try resolveConflict(id, choices: choices, state: state, context: context)

        case .stopSync(let id):
            guard let link = state.links[id] else { throw .unknownLink(id) }
            guard !link.isStopped else { throw .alreadyStopped(id) }
            return [.syncStopped(SyncStopped(linkId: id))]

        case .restartSync(let id):
            guard let link = state.links[id] else { throw .unknownLink(id) }
            guard link.isStopped else { throw .notStopped(id) }
            return [.syncRestarted(SyncRestarted(linkId: id))]

        case .linkCreatedPartner(let requestId, let number):
            return try linkCreatedPartner(requestId, customerNumber: number, state: state, context: context)

        case .linkCreatedStripePartner(let requestId, let customerId):
            return try linkCreatedStripePartner(requestId, customerId: customerId, state: state, context: context)

        case .cancelCreation(let requestId, let reason):
            guard state.pendingCreations[requestId] != nil else { throw .unknownRequest(requestId) }
            return [.partnerCreationCancelled(PartnerCreationCancelled(requestId: requestId, reason: reason))]
        }
    }

    /// Create partners for every eligible customer of a side: unpartnered, included, not deleted,
    /// without a creation under way. Customers that fail (e.g. a taken number, unmappable values)
    /// are skipped and reported; the rest proceed.
    /// - Parameters:
    ///   - side: The system whose customers get partners (`stripe`/`file` → e-conomic, `economic` → file).
    ///   - numbering: How numbers are chosen.
    ///   - state: The `partners` stream's state.
    ///   - context: Facts (every customer of the side) and the command id.
    public static func planCreatePartners(
        side: System, numbering: PartnerNumbering, state: PartneringState, context: PartneringContext
    ) -> CreatePartnersPlan {
        var plan = CreatePartnersPlan()
        var taken = takenNumbers(state: state, context: context)
        var fileIds = takenFileIds(context: context)
        let candidates = context.customers.values
            .filter { $0.customer.system == side && !$0.isExcluded && !$0.isDeleted }
            .filter { state.link(of: $0.customer) == nil && state.pendingCreation(from: $0.customer) == nil }
            .sorted { $0.customer < $1.customer }
        for facts in candidates {
            do {
                plan.events += try createPartner(
                    facts.customer, numbering: numbering, state: state, context: context, takenNumbers: &taken, takenFileIds: &fileIds)
                plan.created.append(facts.customer)
            } catch {
                plan.skipped[facts.customer] = error
            }
        }
        return plan
    }
}
