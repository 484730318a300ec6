/// An e-conomic customer's partner created in Stripe: requested by a person, linked when the worker reports the new
/// customer or when the customer's own `customer.created` is observed first — whichever comes first; the other finds
/// the pair made.
extension PartneringDecider {
    /// The request to create `ref`'s partner in Stripe: its mapped fields (every field a Stripe customer takes), the
    /// e-conomic number under the tenant's write-back key (so the new customer carries its number from the start) and
    /// the request id under ``StripeWriteKind/creationKey``. The e-conomic customer is reserved until the pair is made
    /// or the creation is cancelled.
    static func createStripePartner(_ ref: CustomerRef, state: PartneringState, context: PartneringContext) throws(Error) -> [SyncEvent] {
        guard ref.system == .economic, let number = ref.customerNumber else { throw .notAnEconomicCustomer(ref) }
        let facts = try usableFacts(ref, context: context)
        if let link = state.link(of: ref) { throw .alreadyPartnered(ref, partner: link.source) }
        if let pending = state.pendingCreation(from: ref) { throw .creationPending(ref, requestId: pending.requestId) }
        let requestId = RequestID.derived(from: context.commandId, purpose: "create-stripe-partner:\(ref)")
        var fields = CustomerMapper.reverse(facts.fields, settings: context.settings).filter { key, value in
            !value.isEmpty && ((try? SourceField(parsing: key))?.isWritableInStripe ?? false)
        }
        if let key = context.settings.linkedNumberWriteBackKey { fields[SourceField.metadata(key).key] = String(number) }
        fields[SourceField.metadata(StripeWriteKind.creationKey).key] = requestId.description
        return [
            .partnerCreationRequested(
                PartnerCreationRequested(
                    requestId: requestId, from: ref, targetSystem: .stripe, numbering: .sameAsSource, customerNumber: number, payload: fields)),
            .stripeWriteRequested(
                StripeWriteRequested(requestId: requestId, customerId: "", kind: .create(fields), source: ref, reason: .createPartner)),
        ]
    }

    /// Links the Stripe customer a pending Stripe creation made to the e-conomic customer it was made for. When the
    /// customer's facts are known (its own observation came first) the pair is synchronised at once, so a change made to
    /// the e-conomic customer while the creation was under way reaches Stripe; otherwise its first observation does it.
    static func linkCreatedStripePartner(
        _ requestId: RequestID, customerId: String, state: PartneringState, context: PartneringContext
    ) throws(Error) -> [SyncEvent] {
        guard let pending = state.pendingCreations[requestId], pending.targetSystem == .stripe else { throw .unknownRequest(requestId) }
        let source = CustomerRef.stripe(customerId)
        let economic = pending.from
        if let link = state.link(of: source) { throw .alreadyPartnered(source, partner: link.economic) }
        if let link = state.link(of: economic) { throw .alreadyPartnered(economic, partner: link.source) }
        let economicFields = context.customers[economic].map { FieldValues.cleaned($0.fields) } ?? [:]
        let linked = PartnerLinked(
            linkId: LinkID.derived(from: requestId.rawValue, purpose: "created"), source: source, economic: economic,
            origin: .created(requestId: requestId),
            agreed: LinkSynchronizer.agreedValues(sourceFields: pending.payload, economicFields: economicFields, settings: context.settings))
        guard let created = context.customers[source], !economicFields.isEmpty else { return [.partnerLinked(linked)] }
        return [.partnerLinked(linked)]
            + LinkSynchronizer.synchronize(
                link: PartnerLink(linked), sourceFields: FieldValues.cleaned(created.fields), economicFields: economicFields,
                settings: context.settings, causationId: context.commandId)
    }
}
