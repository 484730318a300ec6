public import Foundation

/// Folding the outcome of a link's open write back into the link.
extension LinkSynchronizer {
    /// The events that settle a link's open write once its outcome is recorded (`OutboundSucceeded`), and the
    /// synchronisation that follows from what the target holds now.
    ///
    /// Per field of the write, with `h` what the target holds now (as the worker read or wrote it):
    /// - written (or found already written), `h` ≈ the value: that side's seen value becomes `h`;
    /// - the target had moved (the worker kept it): the field's record goes back to the write's base and the merge
    ///   runs with `h`, so the change and the move meet as a three-way merge from that base — a conflict on the
    ///   field (with both values and the base) unless the tenant's policy settles it;
    /// - written but the target holds something else (it did not take the value, e.g. kept a field Accord
    ///   cleared): a conflict on the field, whatever the policy, so it is never sent again and again.
    ///
    /// An outcome of a write the link no longer waits for (superseded) changes nothing: the newer write carries it.
    /// - Parameters:
    ///   - link: The link, waiting for the write.
    ///   - target: The side written.
    ///   - outcome: The recorded success (``OutboundSucceeded/written`` and ``OutboundSucceeded/targetMoved`` in
    ///     the target's vocabulary).
    ///   - sourceFields: The source customer's current fields.
    ///   - economicFields: The e-conomic customer's current fields.
    ///   - settings: The tenant's settings.
    ///   - causationId: The id of the event that records the outcome.
    ///   - synchronizing: Whether to synchronise the pair afterwards (not for a stopped link, or a partner that is
    ///     gone: then only the record of the outcome).
    public static func settle(
        link: PartnerLink, target: Side, outcome: OutboundSucceeded, sourceFields: [String: String], economicFields: [String: String],
        settings: TenantSettings, causationId: UUID, synchronizing: Bool = true
    ) -> [SyncEvent] {
        guard let write = link.openWrite(toward: target), write.requestId == outcome.requestId else { return [] }
        let mapped = try? CustomerMapper.mapFields(sourceFields, settings: settings).fields
        var sides = Sides(mapped: mapped ?? [:], source: FieldValues.cleaned(sourceFields), economic: FieldValues.cleaned(economicFields))
        let (holds, moved) = held(by: target, write: write, outcome: outcome, settings: settings)
        if target == .source {
            // What the worker saw in Stripe is newer than what Accord recorded: the next bases come from it.
            sides.source.merge(outcome.written.merging(outcome.targetMoved) { $1 }) { $1 }
            sides.source = FieldValues.cleaned(sides.source)
        }

        var working = link
        working.setOpenWrite(nil, toward: target)
        var conflicts: [SyncEvent] = []
        for (key, fieldWrite) in write.fields.sorted(by: { $0.key < $1.key }) {
            guard let field = EconomicField(rawValue: key) else { continue }
            let now = holds[key] ?? ""
            if target == .economic { set(&sides.economic, key, now) } else { set(&sides.mapped, key, now) }
            let base = fieldWrite.base
            if moved.contains(key) {
                set(&working.agreed, key, base)
                set(&working.sourceSeen, key, base)
                set(&working.economicSeen, key, base)
            } else if ValueEquivalence.areEquivalent(now, fieldWrite.value, for: field) {
                if target == .economic { set(&working.economicSeen, key, now) } else { set(&working.sourceSeen, key, now) }
            } else {
                let other = target == .economic ? (mapped.map { $0[key] } ?? link.sourceSeen[key]) : sides.economic[key]
                let (sourceValue, economicValue) = target == .economic ? (other, now) : (now, other)
                set(&working.agreed, key, base)
                set(&working.sourceSeen, key, sourceValue)
                set(&working.economicSeen, key, economicValue)
                let conflict = ConflictDetected(linkId: link.id, field: key, sourceValue: sourceValue, economicValue: economicValue, baseValue: base)
                working.openConflicts[key] = OpenConflict(field: key, sourceValue: sourceValue, economicValue: economicValue, baseValue: base)
                conflicts.append(.conflictDetected(conflict))
            }
        }

        let settled = SyncEvent.linkWriteSettled(
            LinkWriteSettled(linkId: link.id, target: target, requestId: write.requestId, holds: holds, targetMoved: moved.sorted()))
        guard synchronizing, mapped != nil else {
            var events: [SyncEvent] = [settled]
            if working.agreed != link.agreed || working.sourceSeen != link.sourceSeen || working.economicSeen != link.economicSeen {
                events.append(
                    .linkSynced(
                        LinkSynced(linkId: link.id, agreed: working.agreed, sourceSeen: working.sourceSeen, economicSeen: working.economicSeen)))
            }
            return events + conflicts
        }
        return [settled] + conflicts + merge(working, recorded: link, sides: sides, settings: settings, causationId: causationId)
    }

    /// What the target holds now for each field of the write, in e-conomic's vocabulary, and which fields it had
    /// moved. For Stripe, a field's parts (e.g. an address's lines) are mapped back; it moved if any part did.
    static func held(
        by target: Side, write: LinkWrite, outcome: OutboundSucceeded, settings: TenantSettings
    ) -> (holds: [String: String], moved: Set<String>) {
        var holds: [String: String] = [:]
        var moved: Set<String> = []
        switch target {
        case .economic:
            for key in write.fields.keys {
                holds[key] = outcome.targetMoved[key] ?? outcome.written[key] ?? ""
                if outcome.targetMoved[key] != nil { moved.insert(key) }
            }
        case .source:
            let live = outcome.written.merging(outcome.targetMoved) { $1 }
            for key in write.fields.keys {
                let parts = CustomerMapper.sourceChanges(for: [key: ""], settings: settings).keys.filter { write.sent.fields[$0] != nil }
                let values = Dictionary(uniqueKeysWithValues: parts.map { ($0, live[$0] ?? "") })
                holds[key] = (try? CustomerMapper.mapFields(values, settings: settings).fields[key]) ?? ""
                if parts.contains(where: { outcome.targetMoved[$0] != nil }) { moved.insert(key) }
            }
        }
        return (holds, moved)
    }
}
