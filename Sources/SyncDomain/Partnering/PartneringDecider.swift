import Foundation

/// Decides and folds a tenant's `partners` stream: linking, unlinking, creating partners, resolving
/// conflicts, stopping and restarting. Facts about customers come in a ``PartneringContext``.
///
/// Events returned may belong to other streams too (see ``SyncEvent/homeStream``): write requests
/// open `outbound-<id>` streams, and a file partner created from an e-conomic customer opens its
/// `customer-file-<id>` stream.
public enum PartneringDecider {
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
            }
        }
    }

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

    // MARK: Commands

    private static func selectPartner(
        source: CustomerRef, economic: CustomerRef, state: PartneringState, context: PartneringContext
    ) throws(Error) -> [SyncEvent] {
        guard source.system.isSource, economic.system == .economic else { throw .invalidPair(source: source, economic: economic) }
        let sourceFacts = try usableFacts(source, context: context)
        let economicFacts = try usableFacts(economic, context: context)
        if let link = state.link(of: source) { throw .alreadyPartnered(source, partner: link.economic) }
        if let link = state.link(of: economic) { throw .alreadyPartnered(economic, partner: link.source) }
        if let pending = state.pendingCreation(from: source) { throw .creationPending(source, requestId: pending.requestId) }
        let linked = PartnerLinked(
            linkId: .derived(from: context.commandId, purpose: "select:\(source)"), source: source, economic: economic, origin: .user,
            agreed: LinkSynchronizer.agreedValues(sourceFields: sourceFacts.fields, economicFields: economicFacts.fields, settings: context.settings))
        return linkAndSynchronize(
            linked, sourceFields: sourceFacts.fields, economicFields: economicFacts.fields, state: state, settings: context.settings,
            causationId: context.commandId)
    }

    private static func createPartner(
        _ ref: CustomerRef, numbering: PartnerNumbering, state: PartneringState, context: PartneringContext,
        takenNumbers: inout Set<Int>, takenFileIds: inout Set<String>
    ) throws(Error) -> [SyncEvent] {
        let facts = try usableFacts(ref, context: context)
        if let link = state.link(of: ref) { throw .alreadyPartnered(ref, partner: link.partner(of: ref) ?? link.economic) }
        if let pending = state.pendingCreation(from: ref) { throw .creationPending(ref, requestId: pending.requestId) }
        let settings = context.settings

        if ref.system == .economic {
            // e-conomic → file: immediate, no outbound call.
            guard let economicNumber = ref.customerNumber else { throw .unknownCustomer(ref) }
            let number: Int
            switch numbering {
            case .economicAssigns, .sameAsSource: number = economicNumber
            case .explicit(let chosen): number = try validNumber(chosen)
            }
            let fileRef = CustomerRef.file(String(number))
            guard !takenFileIds.contains(fileRef.id) else { throw .fileCustomerTaken(fileRef) }
            var fields = CustomerMapper.reverse(facts.fields, settings: settings)
            fields[SourceField.customerNumber.key] = String(number)
            let linked = PartnerLinked(
                linkId: .derived(from: context.commandId, purpose: "copy-to-file:\(ref)"), source: fileRef, economic: ref, origin: .copiedToFile,
                agreed: LinkSynchronizer.agreedValues(sourceFields: fields, economicFields: facts.fields, settings: settings))
            takenFileIds.insert(fileRef.id)
            return [.customerObserved(CustomerObserved(customer: fileRef, fields: fields))]
                + linkAndSynchronize(
                    linked, sourceFields: fields, economicFields: facts.fields, state: state, settings: settings, causationId: context.commandId)
        }

        // Source → e-conomic: a creation request.
        let number: Int?
        switch numbering {
        case .economicAssigns:
            number = nil
        case .sameAsSource:
            var field = SourceField.customerNumber.key
            if case .fromSource(let configured) = settings.numbering { field = configured }
            do {
                number = try CustomerMapper.customerNumber(in: facts.fields, field: field)
            } catch {
                throw .mappingFailed(ref, error)
            }
        case .explicit(let chosen):
            number = try validNumber(chosen)
        }
        if let number, takenNumbers.contains(number) { throw .customerNumberTaken(number) }
        let payload: [String: String]
        do {
            payload = try CustomerMapper.createPayload(facts.fields, settings: settings, customerNumber: number).fields
        } catch {
            throw .mappingFailed(ref, error)
        }
        if let number { takenNumbers.insert(number) }
        let requestId = RequestID.derived(from: context.commandId, purpose: "create-partner:\(ref)")
        let keys = MatchResolver.sourceKeys(facts.fields, settings: settings)
        return [
            .partnerCreationRequested(
                PartnerCreationRequested(
                    requestId: requestId, from: ref, targetSystem: .economic, numbering: numbering, customerNumber: number, payload: payload,
                    matchKeys: keys)),
            .economicWriteRequested(
                EconomicWriteRequested(
                    requestId: requestId, kind: .create, source: ref, payload: payload, matchKeys: keys, reason: .createPartner)),
        ]
    }

    private static func resolveConflict(
        _ id: LinkID, choices: [String: ConflictChoice], state: PartneringState, context: PartneringContext
    ) throws(Error) -> [SyncEvent] {
        guard let link = state.links[id] else { throw .unknownLink(id) }
        guard !choices.isEmpty else { throw .noChoices(id) }
        var resulting: [String: String] = [:]
        var economicChanges: [String: String] = [:]
        var sourceChanges: [String: String] = [:]
        for (key, choice) in choices.sorted(by: { $0.key < $1.key }) {
            guard let open = link.openConflicts[key], let field = EconomicField(rawValue: key) else {
                throw .noOpenConflict(id, field: key)
            }
            var value: String
            switch choice {
            case .source: value = open.sourceValue ?? ""
            case .economic: value = open.economicValue ?? ""
            case .value(let chosen): value = chosen
            }
            if FieldValues.isBlank(value) {
                value = ""
                if field.spec.requiredOnCreate { throw .invalidChoice(id, field: key, problem: .requiredFieldMissing(field: key)) }
            } else {
                switch CustomerMapper.convert(value, for: field) {
                case .success(let converted): value = converted.value
                case .failure(let problem): throw .invalidChoice(id, field: key, problem: problem)
                }
            }
            resulting[key] = value
            if !ValueEquivalence.areEquivalent(value, open.economicValue, for: field) { economicChanges[key] = value }
            if !ValueEquivalence.areEquivalent(value, open.sourceValue, for: field) { sourceChanges[key] = value }
        }
        var events: [SyncEvent] = [.conflictResolved(ConflictResolved(linkId: id, choices: choices, resultingValues: resulting))]
        if !economicChanges.isEmpty, let number = link.economic.customerNumber {
            guard let economic = context.customers[link.economic] else { throw .unknownCustomer(link.economic) }
            events.append(
                .economicWriteRequested(
                    EconomicWriteRequested(
                        requestId: .derived(from: context.commandId, purpose: "resolve-economic:\(id)"), kind: .update(customerNumber: number),
                        linkId: id, source: link.source, payload: CustomerMapper.mergeForUpdate(current: economic.fields, changes: economicChanges),
                        reason: .conflictResolved)))
        }
        if let write = LinkSynchronizer.stripeWrite(
            for: sourceChanges, link: link, settings: context.settings, causationId: context.commandId, reason: .conflictResolved)
        {
            events.append(write)
        }
        return events
    }

    private static func linkCreatedPartner(
        _ requestId: RequestID, customerNumber: Int, state: PartneringState, context: PartneringContext
    ) throws(Error) -> [SyncEvent] {
        guard let pending = state.pendingCreations[requestId] else { throw .unknownRequest(requestId) }
        let number = try validNumber(customerNumber)
        let source = pending.from
        let economic = CustomerRef.economic(number)
        if let link = state.link(of: source) { throw .alreadyPartnered(source, partner: link.economic) }
        if let link = state.link(of: economic) { throw .alreadyPartnered(economic, partner: link.source) }
        let mapped = Set(context.settings.mappedEconomicFields.map(\.rawValue))
        let linkId = LinkID.derived(from: requestId.rawValue, purpose: "created")
        var events: [SyncEvent] = [
            .partnerLinked(
                PartnerLinked(
                    linkId: linkId, source: source, economic: economic, origin: .created(requestId: requestId),
                    agreed: pending.payload.filter { mapped.contains($0.key) }))
        ]
        if source.system == .stripe, pending.customerNumber == nil,
            case .economicAssigns(let key?) = context.settings.numbering,
            context.customers[source]?.fields[SourceField.metadata(key).key] != String(number)
        {
            events.append(
                .stripeWriteRequested(
                    StripeWriteRequested(
                        requestId: .derived(from: requestId.rawValue, purpose: "customer-number-write-back"), customerId: source.id,
                        kind: .metadata([key: String(number)]), linkId: linkId, reason: .customerNumberWriteBack)))
        }
        return events
    }

    // MARK: Helpers

    /// A new link and the first synchronisation of the pair it forms.
    static func linkAndSynchronize(
        _ linked: PartnerLinked, sourceFields: [String: String], economicFields: [String: String], state: PartneringState,
        settings: TenantSettings, causationId: UUID
    ) -> [SyncEvent] {
        let next = evolve(state, .partnerLinked(linked))
        guard let link = next.links[linked.linkId] else { return [.partnerLinked(linked)] }
        return [.partnerLinked(linked)]
            + LinkSynchronizer.synchronize(
                link: link, sourceFields: sourceFields, economicFields: economicFields, settings: settings, causationId: causationId)
    }

    private static func usableFacts(_ ref: CustomerRef, context: PartneringContext) throws(Error) -> CustomerFacts {
        guard let facts = context.customers[ref] else { throw .unknownCustomer(ref) }
        if facts.isDeleted { throw .customerDeleted(ref) }
        if facts.isExcluded { throw .customerExcluded(ref) }
        return facts
    }

    private static func validNumber(_ number: Int) throws(Error) -> Int {
        guard (1...999_999_999).contains(number) else { throw .invalidCustomerNumber(number) }
        return number
    }

    private static func takenNumbers(state: PartneringState, context: PartneringContext) -> Set<Int> {
        var taken = context.economicNumbersInUse.union(state.reservedCustomerNumbers)
        for ref in context.customers.keys { if let number = ref.customerNumber { taken.insert(number) } }
        return taken
    }

    private static func takenFileIds(context: PartneringContext) -> Set<String> {
        Set(context.customers.keys.filter { $0.system == .file }.map(\.id))
    }

    // MARK: Evolve

    /// Applies one event; events of other streams leave the state unchanged.
    public static func evolve(_ state: PartneringState, _ event: SyncEvent) -> PartneringState {
        var state = state
        evolve(&state, event)
        return state
    }

    /// Applies one event in place (no copy of a large state: folds of long streams use this).
    public static func evolve(_ state: inout PartneringState, _ event: SyncEvent) {
        switch event {
        case .partnerLinked(let e):
            state.links[e.linkId] = PartnerLink(
                id: e.linkId, source: e.source, economic: e.economic, origin: e.origin, agreed: e.agreed, sourceSeen: e.agreed,
                economicSeen: e.agreed)
            state.linkBySource[e.source] = e.linkId
            state.linkByEconomic[e.economic] = e.linkId
            if case .created(let requestId) = e.origin { state.removePendingCreation(requestId) }
        case .partnerUnlinked(let e):
            if let link = state.links.removeValue(forKey: e.linkId) {
                state.linkBySource.removeValue(forKey: link.source)
                state.linkByEconomic.removeValue(forKey: link.economic)
            }
        case .syncStopped(let e):
            state.links[e.linkId]?.isStopped = true
        case .syncRestarted(let e):
            state.links[e.linkId]?.isStopped = false
        case .partnerCreationRequested(let e):
            state.addPendingCreation(PendingCreation(e))
        case .partnerCreationCancelled(let e):
            state.removePendingCreation(e.requestId)
        case .conflictDetected(let e):
            state.links[e.linkId]?.openConflicts[e.field] = OpenConflict(
                field: e.field, sourceValue: e.sourceValue, economicValue: e.economicValue, baseValue: e.baseValue)
        case .conflictResolved(let e):
            guard var link = state.links[e.linkId] else { break }
            for (field, value) in e.resultingValues {
                let open = link.openConflicts.removeValue(forKey: field)
                link.agreed[field] = FieldValues.isBlank(value) ? nil : value
                link.sourceSeen[field] = open?.sourceValue
                link.economicSeen[field] = open?.economicValue
            }
            state.links[e.linkId] = link
        case .linkSynced(let e):
            guard var link = state.links[e.linkId] else { break }
            link.agreed = e.agreed
            link.sourceSeen = e.sourceSeen
            link.economicSeen = e.economicSeen
            for field in e.clearedConflicts { link.openConflicts.removeValue(forKey: field) }
            state.links[e.linkId] = link
        default:
            break
        }
    }

    /// Folds the `partners` stream from the initial state.
    public static func fold(_ events: some Sequence<SyncEvent>) -> PartneringState {
        events.reduce(PartneringState.initial, evolve)
    }
}
