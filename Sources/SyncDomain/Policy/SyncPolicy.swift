public import Foundation

/// What the reactor does about an event (pure).
///
/// For a `CustomerObserved`:
/// - excluded or deleted customer → nothing;
/// - linked pair (either side observed) → stopped: nothing; otherwise the ``LinkSynchronizer``
///   three-way merge in both directions (e-conomic updates as full `PUT` payloads, Stripe field
///   writes, files recorded only, conflicts or policy resolution, loop prevention);
/// - unlinked source customer → a creation under way: nothing; matching held (the match index is being
///   rebuilt after a change of match fields) → nothing yet, decided again once it is rebuilt; otherwise ``MatchResolver``:
///   one free candidate → `PartnerLinked` (origin `autoMatch(key)`) plus the first synchronisation;
///   ambiguous / already linked / empty match field → `MatchFailed`; no candidate → automatic
///   create policy: `PartnerCreationRequested` + `EconomicWriteRequested` with the defaults
///   (numbering per settings), manual: nothing;
/// - unlinked e-conomic customer → nothing.
///
/// The fields used are the customer's *current* recorded fields (``SyncContext/customer``), falling
/// back to the event's, so that catching up on old events never acts on stale values — except for matching an
/// unlinked customer, which tries the fields as observed first (an observation that matched links, however late it
/// is decided; the pair's first agreed values are those it matched on), then the current ones.
///
/// A Stripe customer Accord created as an e-conomic customer's partner (its metadata names the creation) is linked to
/// that customer when it is observed before the worker's success is decided; one whose creation was cancelled is never
/// made an e-conomic customer in turn. An e-conomic customer whose partner is being created in Stripe is reserved: other
/// Stripe customers matching it fail as matching a partnered one.
///
/// For an `OutboundSucceeded` of a partner creation: link the created customer and, when
/// e-conomic assigned the number and a write-back key is set, request the Stripe metadata write. For
/// one of a link's open writes: settle it (``LinkSynchronizer/settle(link:target:outcome:sourceFields:economicFields:settings:causationId:synchronizing:)``).
public enum SyncPolicy {
    /// Decides the reaction to an observation.
    /// - Parameters:
    ///   - observed: The event.
    ///   - causationId: The event's id.
    ///   - context: The current state.
    public static func decide(observed: CustomerObserved, causationId: UUID, context: SyncContext) -> SyncDecision {
        let ref = observed.customer
        let fields = context.customer.exists ? context.customer.fields : FieldValues.cleaned(observed.fields)
        func decision(_ outcome: SyncOutcome, _ events: [SyncEvent] = []) -> SyncDecision {
            SyncDecision(causationId: causationId, outcome: outcome, events: events)
        }
        if context.customer.isExcluded { return decision(.excluded(ref)) }
        if context.customer.isDeleted { return decision(.deleted) }
        let partnering = context.partnering

        if let link = partnering.link(of: ref) {
            if link.isStopped { return decision(.stopped(link.id)) }
            let partnerRef = ref.system == .economic ? link.source : link.economic
            guard let partner = context.customerFacts(partnerRef) else { return decision(.waitingForPartner(link.id)) }
            if partner.isDeleted { return decision(.partnerDeleted(partnerRef)) }
            if partner.isExcluded { return decision(.excluded(partnerRef)) }
            let (sourceFields, economicFields) = ref.system == .economic ? (partner.fields, fields) : (fields, partner.fields)
            let events = LinkSynchronizer.synchronize(
                link: link, sourceFields: sourceFields, economicFields: economicFields, settings: context.settings, causationId: causationId)
            if case .mappingFailed(let failed)? = events.first {
                let repeated = ref.system != .economic && context.customer.lastMappingFailure == failed.error
                return decision(.mappingFailed, repeated ? [] : events)
            }
            return decision(.synchronized(link.id), events)
        }

        guard ref.system.isSource else { return decision(.unpartneredEconomicCustomer) }
        if let pending = partnering.pendingCreation(from: ref) { return decision(.creationPending(pending.requestId)) }
        let creation = ref.system == .stripe ? creationMarker(FieldValues.cleaned(observed.fields)) ?? creationMarker(fields) : nil
        if let creation, partnering.pendingCreations[creation]?.targetSystem == .stripe {
            let facts = [CustomerFacts(customer: ref, fields: fields), context.customerFacts(partnering.pendingCreations[creation]!.from)]
            return linkCreated(
                creation, stripeCustomer: ref, causationId: causationId, partnering: partnering, settings: context.settings,
                facts: facts.compactMap { $0 })
        }
        if context.matchingHeld { return decision(.matchingHeld) }

        let lookup: (MatchKey) -> [MatchCandidate] = { key in
            let indexed = context.lookup(key).map { candidate -> MatchCandidate in
                guard candidate.partner == nil, let economic = candidate.economicCustomer else { return candidate }
                if let link = partnering.link(of: economic) { return MatchCandidate(target: candidate.target, partner: link.source) }
                // Its partner is being created in Stripe: reserved for that customer, as a source customer's creation
                // in e-conomic is.
                if let pending = partnering.pendingCreation(from: economic) {
                    return MatchCandidate(target: .pendingCreation(pending.requestId), partner: economic)
                }
                return candidate
            }
            return indexed + partnering.pendingCandidates(for: key).filter { $0.partner != ref }
        }
        // The customer as observed is matched first: a decision belongs to the event that caused it, so a reactor
        // that gets to an observation late (behind a backlog, or held while the match index was rebuilt) links what the
        // observation matched — its later changes then reach the partner as changes — whatever its speed. Only when the
        // observation matches no one do the current fields get their turn.
        let observedFields = FieldValues.cleaned(observed.fields)
        var matchedOn = observedFields
        var outcome = MatchResolver.resolve(source: observedFields, settings: context.settings, lookup: lookup)
        if case .matched = outcome {
        } else if observedFields != fields {
            matchedOn = fields
            outcome = MatchResolver.resolve(source: fields, settings: context.settings, lookup: lookup)
        }
        switch outcome {
        case .matched(let candidate, let key):
            guard let economic = candidate.economicCustomer else { return decision(.nothingToDo) }
            let economicFields = context.customerFacts(economic)?.fields ?? [:]
            let linked = PartnerLinked(
                linkId: .derived(from: causationId, purpose: "auto-match:\(ref)"), source: ref, economic: economic, origin: .autoMatch(key: key),
                agreed: LinkSynchronizer.agreedValues(sourceFields: matchedOn, economicFields: economicFields, settings: context.settings))
            let events: [SyncEvent]
            if context.customerFacts(economic) != nil {
                events = PartneringDecider.linkAndSynchronize(
                    linked, sourceFields: fields, economicFields: economicFields, settings: context.settings, causationId: causationId)
            } else {
                events = [.partnerLinked(linked)]
            }
            return decision(.linked(linked.linkId, key: key), events)

        case .matchFieldMissing, .ambiguous, .candidateAlreadyLinked:
            guard let failure = outcome.failure else { return decision(.nothingToDo) }
            if context.customer.lastMatchFailure == failure { return decision(.matchFailed(failure)) }
            return decision(.matchFailed(failure), [.matchFailed(MatchFailed(customer: ref, reason: failure))])

        case .noMatch:
            guard context.settings.createPolicy == .automatic else { return decision(.leftUnpartnered) }
            // Accord made this customer as an e-conomic customer's partner, and that creation was cancelled: making it
            // an e-conomic customer in turn would copy the customer it was made from.
            if creation != nil { return decision(.leftUnpartnered) }
            let number: Int?
            let payload: [String: String]
            do {
                if case .fromSource(let field) = context.settings.numbering {
                    number = try CustomerMapper.customerNumber(in: fields, field: field)
                } else {
                    number = nil
                }
                payload = try CustomerMapper.createPayload(fields, settings: context.settings, customerNumber: number).fields
            } catch {
                if context.customer.lastMappingFailure == error { return decision(.mappingFailed) }
                return decision(.mappingFailed, [.mappingFailed(MappingFailed(customer: ref, error: error))])
            }
            let requestId = RequestID.derived(from: causationId, purpose: "auto-create:\(ref)")
            let keys = MatchResolver.sourceKeys(fields, settings: context.settings)
            return decision(
                .creationRequested(requestId),
                [
                    .partnerCreationRequested(
                        PartnerCreationRequested(
                            requestId: requestId, from: ref, targetSystem: .economic, numbering: number == nil ? .economicAssigns : .sameAsSource,
                            customerNumber: number, payload: payload, matchKeys: keys)),
                    .economicWriteRequested(
                        EconomicWriteRequested(
                            requestId: requestId, kind: .create, source: ref, payload: payload, matchKeys: keys, reason: .autoCreate)),
                ])
        }
    }

    /// Decides the reaction to a successful outbound request: a completed partner creation is
    /// linked (``PartneringCommand/linkCreatedPartner(_:customerNumber:)``, which also requests the
    /// customer-number write-back to Stripe when configured). If the customer got another partner
    /// meanwhile, the creation is cancelled with an explanation and the new customer stays unlinked.
    /// The outcome of a link's open write is folded into the link and the pair synchronised from what the
    /// target holds now (only recorded for a stopped pair, or one whose customers are not both there).
    /// - Parameters:
    ///   - succeeded: The event.
    ///   - causationId: The event's id.
    ///   - partnering: The `partners` stream's state.
    ///   - settings: The tenant's settings.
    ///   - customerFacts: Current facts about a customer (the source customer, for the write-back check).
    public static func decide(
        succeeded: OutboundSucceeded, causationId: UUID, partnering: PartneringState, settings: TenantSettings,
        customerFacts: (CustomerRef) -> CustomerFacts? = { _ in nil }
    ) -> SyncDecision {
        if let (link, target) = partnering.link(awaiting: succeeded.requestId) {
            let source = customerFacts(link.source)
            let economic = customerFacts(link.economic)
            let usable = [source, economic].allSatisfy { $0 != nil && $0?.isDeleted == false && $0?.isExcluded == false }
            let events = LinkSynchronizer.settle(
                link: link, target: target, outcome: succeeded, sourceFields: source?.fields ?? [:], economicFields: economic?.fields ?? [:],
                settings: settings, causationId: causationId, synchronizing: usable && !link.isStopped)
            return SyncDecision(causationId: causationId, outcome: .writeSettled(link.id), events: events)
        }
        guard let pending = partnering.pendingCreations[succeeded.requestId] else {
            return SyncDecision(causationId: causationId, outcome: .nothingToDo)
        }
        if pending.targetSystem == .stripe {
            guard let customerId = succeeded.stripeCustomerId else { return SyncDecision(causationId: causationId, outcome: .nothingToDo) }
            let stripeCustomer = CustomerRef.stripe(customerId)
            return linkCreated(
                pending.requestId, stripeCustomer: stripeCustomer, causationId: causationId, partnering: partnering, settings: settings,
                facts: [customerFacts(pending.from), customerFacts(stripeCustomer)].compactMap { $0 })
        }
        guard pending.targetSystem == .economic, let number = succeeded.customerNumber ?? pending.customerNumber else {
            return SyncDecision(causationId: causationId, outcome: .nothingToDo)
        }
        let context = PartneringContext(commandId: causationId, settings: settings, customers: [customerFacts(pending.from)].compactMap { $0 })
        do {
            let events = try PartneringDecider.decide(
                .linkCreatedPartner(pending.requestId, customerNumber: number), state: partnering, context: context)
            let linkId = events.lazy.compactMap { event -> LinkID? in
                if case .partnerLinked(let linked) = event { return linked.linkId }
                return nil
            }.first
            return SyncDecision(causationId: causationId, outcome: linkId.map(SyncOutcome.partnerCreated) ?? .nothingToDo, events: events)
        } catch {
            let cancelled = PartnerCreationCancelled(
                requestId: pending.requestId,
                reason: "e-conomic customer \(number) was created for \(pending.from), but it cannot be linked: \(error)")
            return SyncDecision(
                causationId: causationId, outcome: .creationOrphaned(pending.requestId), events: [.partnerCreationCancelled(cancelled)])
        }
    }

    /// The request id a Stripe customer Accord created carries in its metadata (``StripeWriteKind/creationKey``).
    static func creationMarker(_ fields: [String: String]) -> RequestID? {
        fields[SourceField.metadata(StripeWriteKind.creationKey).key].flatMap { UUID(uuidString: $0) }.map { RequestID(rawValue: $0) }
    }

    /// Links the Stripe customer a pending creation made (``PartneringCommand/linkCreatedStripePartner(_:customerId:)``):
    /// decided on the worker's success or on the customer's own observation, whichever comes first. When the pair cannot
    /// be made (either customer got another partner meanwhile) the creation is cancelled with the reason, and the new
    /// Stripe customer stays unpartnered.
    /// - Parameter facts: What is known of the two customers (either may be missing).
    static func linkCreated(
        _ requestId: RequestID, stripeCustomer: CustomerRef, causationId: UUID, partnering: PartneringState, settings: TenantSettings,
        facts: [CustomerFacts]
    ) -> SyncDecision {
        guard let pending = partnering.pendingCreations[requestId] else { return SyncDecision(causationId: causationId, outcome: .nothingToDo) }
        let partneringContext = PartneringContext(commandId: causationId, settings: settings, customers: facts)
        do {
            let events = try PartneringDecider.decide(
                .linkCreatedStripePartner(requestId, customerId: stripeCustomer.id), state: partnering, context: partneringContext)
            return SyncDecision(causationId: causationId, outcome: .partnerCreated(.derived(from: requestId.rawValue, purpose: "created")), events: events)
        } catch {
            let cancelled = PartnerCreationCancelled(
                requestId: requestId, reason: "Stripe customer \(stripeCustomer.id) was created for \(pending.from), but it cannot be linked: \(error)")
            return SyncDecision(causationId: causationId, outcome: .creationOrphaned(requestId), events: [.partnerCreationCancelled(cancelled)])
        }
    }
}
