/// The write requests of a link: patches with bases, one open write per side, a newer write superseding the open
/// one and carrying its fields forward.
extension LinkSynchronizer {
    /// The update of a link's e-conomic customer carrying `changes`, with its `LinkWriteRequested`; empty when
    /// there is nothing to change or the customer has no number.
    /// - Parameters:
    ///   - changes: e-conomic field → new value (empty clears it).
    ///   - link: The link, with its open writes.
    ///   - economicFields: What Accord last saw on the e-conomic customer (the bases).
    ///   - requestId: The new request's id.
    ///   - reason: Why it is written.
    public static func economicUpdate(
        _ changes: [String: String], link: PartnerLink, economicFields: [String: String], requestId: RequestID, reason: WriteReason
    ) -> [SyncEvent] {
        guard !changes.isEmpty, let number = link.economic.customerNumber else { return [] }
        var patch = FieldPatch(
            Dictionary(
                uniqueKeysWithValues: changes.map { key, value in
                    (key, FieldWrite(value: value, base: economicFields[key] ?? "", kind: EconomicField(rawValue: key)?.spec.kind ?? .text))
                }))
        var supersedes: [RequestID] = []
        if let open = link.economicWrite {
            patch = patch.superseding(open.sent)
            supersedes = open.supersedes + [open.requestId]
        }
        return [
            .linkWriteRequested(
                LinkWriteRequested(
                    linkId: link.id, target: .economic, requestId: requestId, fields: patch.fields, sent: patch, supersedes: supersedes)),
            .economicWriteRequested(
                EconomicWriteRequested(
                    requestId: requestId, kind: .update(customerNumber: number), linkId: link.id, source: link.source, patch: patch,
                    supersedes: supersedes, reason: reason)),
        ]
    }

    /// The update of a link's Stripe customer carrying e-conomic values back, limited to the fields Stripe can
    /// take (see ``SourceField/isWritableInStripe``), with its `LinkWriteRequested`; empty for file sources or
    /// nothing to write.
    /// - Parameters:
    ///   - economicValues: e-conomic field → value to carry over (empty clears).
    ///   - link: The link, with its open writes.
    ///   - sourceFields: What Accord last saw on the Stripe customer (the bases, source vocabulary).
    ///   - mapped: The same, mapped to e-conomic's vocabulary (the link's view of the bases).
    ///   - settings: The tenant's settings (mappings).
    ///   - requestId: The new request's id.
    ///   - reason: Why it is written.
    public static func stripeUpdate(
        _ economicValues: [String: String], link: PartnerLink, sourceFields: [String: String], mapped: [String: String],
        settings: TenantSettings, requestId: RequestID, reason: WriteReason
    ) -> [SyncEvent] {
        guard link.source.system == .stripe, !economicValues.isEmpty else { return [] }
        var sent: [String: FieldWrite] = [:]
        var fields: [String: FieldWrite] = [:]
        for (key, value) in economicValues {
            let kind = EconomicField(rawValue: key)?.spec.kind ?? .text
            let parts = CustomerMapper.sourceChanges(for: [key: value], settings: settings).filter { part, _ in
                (try? SourceField(parsing: part))?.isWritableInStripe ?? false
            }
            guard !parts.isEmpty else { continue }
            for (part, partValue) in parts { sent[part] = FieldWrite(value: partValue, base: sourceFields[part] ?? "", kind: kind) }
            fields[key] = FieldWrite(value: value, base: mapped[key] ?? "", kind: kind)
        }
        guard !sent.isEmpty else { return [] }
        var patch = FieldPatch(sent)
        var linkFields = FieldPatch(fields)
        var supersedes: [RequestID] = []
        if let open = link.sourceWrite {
            patch = patch.superseding(open.sent)
            linkFields = linkFields.superseding(FieldPatch(open.fields))
            supersedes = open.supersedes + [open.requestId]
        }
        return [
            .linkWriteRequested(
                LinkWriteRequested(
                    linkId: link.id, target: .source, requestId: requestId, fields: linkFields.fields, sent: patch, supersedes: supersedes)),
            .stripeWriteRequested(
                StripeWriteRequested(
                    requestId: requestId, customerId: link.source.id, kind: .patch(patch), linkId: link.id, supersedes: supersedes, reason: reason)),
        ]
    }
}
