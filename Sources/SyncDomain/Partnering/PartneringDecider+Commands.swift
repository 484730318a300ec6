import Foundation

/// The partnering commands one by one, and the checks they share.
extension PartneringDecider {
    static func selectPartner(
        source: CustomerRef, economic: CustomerRef, state: PartneringState, context: PartneringContext
    ) throws(Error) -> [SyncEvent] {
        guard source.system.isSource, economic.system == .economic else { throw .invalidPair(source: source, economic: economic) }
        let sourceFacts = try usableFacts(source, context: context)
        let economicFacts = try usableFacts(economic, context: context)
        if let link = state.link(of: source) { throw .alreadyPartnered(source, partner: link.economic) }
        if let link = state.link(of: economic) { throw .alreadyPartnered(economic, partner: link.source) }
        if let pending = state.pendingCreation(from: source) { throw .creationPending(source, requestId: pending.requestId) }
        if let pending = state.pendingCreation(from: economic) { throw .creationPending(economic, requestId: pending.requestId) }
        let linked = PartnerLinked(
            linkId: .derived(from: context.commandId, purpose: "select:\(source)"), source: source, economic: economic, origin: .user,
            agreed: LinkSynchronizer.agreedValues(sourceFields: sourceFacts.fields, economicFields: economicFacts.fields, settings: context.settings))
        return linkAndSynchronize(
            linked, sourceFields: sourceFacts.fields, economicFields: economicFacts.fields, settings: context.settings, causationId: context.commandId)
    }

    static func createPartner(
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
                    linked, sourceFields: fields, economicFields: facts.fields, settings: settings, causationId: context.commandId)
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

    static func resolveConflict(
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
        if !economicChanges.isEmpty, link.economic.customerNumber != nil {
            guard let economic = context.customers[link.economic] else { throw .unknownCustomer(link.economic) }
            events += LinkSynchronizer.economicUpdate(
                economicChanges, link: link, economicFields: FieldValues.cleaned(economic.fields),
                requestId: .derived(from: context.commandId, purpose: "resolve-economic:\(id)"), reason: .conflictResolved)
        }
        if !sourceChanges.isEmpty, link.source.system == .stripe {
            guard let source = context.customers[link.source] else { throw .unknownCustomer(link.source) }
            let mapped = (try? CustomerMapper.mapFields(source.fields, settings: context.settings).fields) ?? [:]
            events += LinkSynchronizer.stripeUpdate(
                sourceChanges, link: link, sourceFields: FieldValues.cleaned(source.fields), mapped: mapped, settings: context.settings,
                requestId: .derived(from: context.commandId, purpose: "stripe-update:\(link.id)"), reason: .conflictResolved)
        }
        return events
    }

    static func linkCreatedPartner(
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
                        requestId: .numberWriteBack(after: requestId), customerId: source.id,
                        kind: .metadata([key: String(number)]), linkId: linkId, reason: .customerNumberWriteBack)))
        }
        return events
    }

    // MARK: Helpers

    /// A new link and the first synchronisation of the pair it forms.
    static func linkAndSynchronize(
        _ linked: PartnerLinked, sourceFields: [String: String], economicFields: [String: String], settings: TenantSettings, causationId: UUID
    ) -> [SyncEvent] {
        // The link as the fold makes it: evolving a copy of the whole partnering state for it cost a copy of every
        // link per decision (an initial sync's matches slowed with every link made).
        [.partnerLinked(linked)]
            + LinkSynchronizer.synchronize(
                link: PartnerLink(linked), sourceFields: sourceFields, economicFields: economicFields, settings: settings, causationId: causationId)
            + numberWriteBack(linked, sourceFields: sourceFields, settings: settings)
    }

    /// The e-conomic number written to a newly linked Stripe customer's metadata, when the tenant asks for write-back
    /// (numbering's key, ``TenantSettings/writeBackToLinked``) and the customer does not carry that number yet.
    static func numberWriteBack(_ linked: PartnerLinked, sourceFields: [String: String], settings: TenantSettings) -> [SyncEvent] {
        numberWriteBack(
            source: linked.source, economic: linked.economic, link: linked.linkId, sourceFields: sourceFields, settings: settings,
            requestId: .numberWriteBack(linked: linked.linkId))
    }

    /// The e-conomic number written to a linked Stripe customer's metadata under ``TenantSettings/linkedNumberWriteBackKey``,
    /// unless it carries that number already (or the pair is not a Stripe customer and an e-conomic customer, or the
    /// tenant asks for no write-back): the request a link gets when it is made, and a settings change gives the pairs
    /// linked before it.
    /// - Parameter requestId: The request's id (derived from what causes it, so deciding again issues nothing new).
    public static func numberWriteBack(
        source: CustomerRef, economic: CustomerRef, link: LinkID, sourceFields: [String: String], settings: TenantSettings, requestId: RequestID
    ) -> [SyncEvent] {
        guard source.system == .stripe, let key = settings.linkedNumberWriteBackKey, let number = economic.customerNumber,
            sourceFields[SourceField.metadata(key).key] != String(number)
        else { return [] }
        return [
            .stripeWriteRequested(
                StripeWriteRequested(
                    requestId: requestId, customerId: source.id, kind: .metadata([key: String(number)]), linkId: link,
                    reason: .customerNumberWriteBack))
        ]
    }

    static func usableFacts(_ ref: CustomerRef, context: PartneringContext) throws(Error) -> CustomerFacts {
        guard let facts = context.customers[ref] else { throw .unknownCustomer(ref) }
        if facts.isDeleted { throw .customerDeleted(ref) }
        if facts.isExcluded { throw .customerExcluded(ref) }
        return facts
    }

    static func validNumber(_ number: Int) throws(Error) -> Int {
        guard (1...999_999_999).contains(number) else { throw .invalidCustomerNumber(number) }
        return number
    }

    static func takenNumbers(state: PartneringState, context: PartneringContext) -> Set<Int> {
        var taken = context.economicNumbersInUse.union(state.reservedCustomerNumbers)
        for ref in context.customers.keys { if let number = ref.customerNumber { taken.insert(number) } }
        return taken
    }

    static func takenFileIds(context: PartneringContext) -> Set<String> {
        Set(context.customers.keys.filter { $0.system == .file }.map(\.id))
    }
}
