public import Foundation

/// Brings a linked pair into agreement, field by field, with the ``ThreeWayMerge``; shared by the
/// reactor (``SyncPolicy``) and by commands that create links.
///
/// For each mapped e-conomic field it merges the mapped source value, the e-conomic value and the
/// link's record, then:
/// - carries one-sided changes over as **patches with bases**: e-conomic gets one `EconomicWriteRequested`
///   update naming only the changed fields, each with the value Accord last saw on e-conomic (its base); Stripe
///   gets one `StripeWriteRequested` patch of the fields it can take, based on what Accord last saw in Stripe; a
///   file gets nothing (Accord cannot write it), but the agreed value still moves on while the file's seen value
///   stays, so an unchanged re-import does not undo the change. The worker writes a field only while the target
///   still holds its base, so an edit made on the target meanwhile is never overwritten (see ``FieldWrite``);
/// - keeps **one open write per side** (``LinkWrite``, recorded with `LinkWriteRequested`): while it is open,
///   what that side reports for its fields waits for the outcome (the report may be the write's echo, the value
///   before it, or someone's edit — only the outcome says which), and a newer change to that side supersedes it,
///   carrying its fields forward (``FieldPatch/superseding(_:)``). The outcome is folded in by
///   ``settle(link:target:outcome:sourceFields:economicFields:settings:causationId:synchronizing:)``;
/// - records conflicts (`ConflictDetected`), once per distinct pair of values; a field with an open
///   conflict is frozen until resolved, unless the sides come to agree (then the conflict is
///   cleared) or a policy now settles it;
/// - records the new agreed/seen values (`LinkSynced`) whenever they differ from the link's.
///
/// Request ids are derived from the causing event id, so reacting twice yields the same requests.
public enum LinkSynchronizer {
    /// Synchronises a link.
    /// - Parameters:
    ///   - link: The link (as in ``PartneringState``).
    ///   - sourceFields: The source customer's current fields (source vocabulary).
    ///   - economicFields: The e-conomic customer's current fields.
    ///   - settings: The tenant's settings.
    ///   - causationId: The id of the event or command that causes this run.
    /// - Returns: Events: `MappingFailed` (customer stream) when the source cannot be mapped;
    ///   otherwise `LinkSynced` / `ConflictDetected` / `LinkWriteRequested` (partners) and write requests (new
    ///   outbound streams).
    public static func synchronize(
        link: PartnerLink, sourceFields: [String: String], economicFields: [String: String], settings: TenantSettings,
        causationId: UUID
    ) -> [SyncEvent] {
        let mapped: [String: String]
        do {
            mapped = try CustomerMapper.mapFields(sourceFields, settings: settings).fields
        } catch {
            return [.mappingFailed(MappingFailed(customer: link.source, linkId: link.id, error: error))]
        }
        let sides = Sides(mapped: mapped, source: FieldValues.cleaned(sourceFields), economic: FieldValues.cleaned(economicFields))
        return merge(link, recorded: link, sides: sides, settings: settings, causationId: causationId)
    }

    /// The mapped fields on which two customers agree (equivalent, non-empty), with e-conomic's
    /// spelling: the first base of a new link.
    /// - Parameters:
    ///   - sourceFields: The source customer's fields.
    ///   - economicFields: The e-conomic customer's fields.
    ///   - settings: The tenant's settings.
    public static func agreedValues(sourceFields: [String: String], economicFields: [String: String], settings: TenantSettings) -> [String: String] {
        guard let mapped = try? CustomerMapper.mapFields(sourceFields, settings: settings).fields else { return [:] }
        var agreed: [String: String] = [:]
        for field in settings.mappedEconomicFields {
            let key = field.rawValue
            if let value = economicFields[key], !FieldValues.isBlank(value), ValueEquivalence.areEquivalent(mapped[key], value, for: field) {
                agreed[key] = value
            }
        }
        return agreed
    }

    /// What the two customers hold now: the source mapped to e-conomic's vocabulary, the source as it is (for
    /// the bases of Stripe writes), and e-conomic.
    struct Sides {
        var mapped: [String: String]
        var source: [String: String]
        var economic: [String: String]
    }

    /// The merge of every mapped field of `link` (a working copy of the record) against `sides`; `recorded` is
    /// the link as stored, which the new record is compared with.
    static func merge(_ link: PartnerLink, recorded: PartnerLink, sides: Sides, settings: TenantSettings, causationId: UUID) -> [SyncEvent] {
        var agreed = link.agreed
        var sourceSeen = link.sourceSeen
        var economicSeen = link.economicSeen
        var economicChanges: [String: String] = [:]
        var sourceChanges: [String: String] = [:]
        var conflicts: [SyncEvent] = []
        var cleared: [String] = []

        for field in settings.mappedEconomicFields where field.spec.isMappable {
            let key = field.rawValue
            // A side with an open write on this field holds, as far as the merge is concerned, the value being
            // written: its reports wait for the write's outcome. The other side may still change.
            let sourceWrite = link.sourceWrite?.fields[key]
            let economicWrite = link.economicWrite?.fields[key]
            let (heldSource, heldEconomic) = (sourceWrite != nil, economicWrite != nil)
            let sourceNow = sourceWrite.map(\.value) ?? sides.mapped[key]
            let economicNow = economicWrite.map(\.value) ?? sides.economic[key]
            let snapshot = FieldSnapshot(
                source: sourceNow, sourceSeen: link.sourceSeen[key], economic: economicNow, economicSeen: link.economicSeen[key],
                agreed: link.agreed[key])
            let outcome = ThreeWayMerge.merge(
                snapshot, field: field, policy: settings.conflictPolicy(for: field), emptyOverwrites: settings.emptyOverwrites(field))

            if let open = link.openConflicts[key] {
                switch outcome {
                case .conflict, .noChange:
                    let same =
                        ValueEquivalence.areEquivalent(open.sourceValue, sourceNow, for: field)
                        && ValueEquivalence.areEquivalent(open.economicValue, economicNow, for: field)
                    if !same {
                        conflicts.append(
                            .conflictDetected(
                                ConflictDetected(
                                    linkId: link.id, field: key, sourceValue: sourceNow, economicValue: economicNow, baseValue: open.baseValue)))
                    }
                    continue
                default:
                    cleared.append(key)
                }
            }

            switch outcome {
            case .noChange:
                break
            case .alreadyEqual(let value):
                set(&agreed, key, value)
            case .propagate(from: .source, let value, _):
                set(&agreed, key, value)
                economicChanges[key] = value
            case .propagate(from: .economic, let value, _):
                set(&agreed, key, value)
                sourceChanges[key] = value
            case .emptyIgnored(let side):
                set(&agreed, key, snapshot.current(side.opposite))
            case .conflict:
                conflicts.append(
                    .conflictDetected(
                        ConflictDetected(
                            linkId: link.id, field: key, sourceValue: sourceNow, economicValue: economicNow, baseValue: link.agreed[key])))
                continue
            }
            // Seen values only move when they mean something else (a different spelling is no news), and never
            // on a held side: what it holds is the open write's outcome to tell.
            if !heldSource, !ValueEquivalence.areEquivalent(sourceSeen[key], sides.mapped[key], for: field) {
                set(&sourceSeen, key, sides.mapped[key])
            }
            if !heldEconomic, !ValueEquivalence.areEquivalent(economicSeen[key], sides.economic[key], for: field) {
                set(&economicSeen, key, sides.economic[key])
            }
        }

        var events: [SyncEvent] = []
        if agreed != recorded.agreed || sourceSeen != recorded.sourceSeen || economicSeen != recorded.economicSeen || !cleared.isEmpty {
            events.append(
                .linkSynced(
                    LinkSynced(linkId: link.id, agreed: agreed, sourceSeen: sourceSeen, economicSeen: economicSeen, clearedConflicts: cleared)))
        }
        events += conflicts
        events += economicUpdate(
            economicChanges, link: link, economicFields: sides.economic,
            requestId: .derived(from: causationId, purpose: "economic-update:\(link.id)"),
            reason: .sourceChanged)
        events += stripeUpdate(
            sourceChanges, link: link, sourceFields: sides.source, mapped: sides.mapped, settings: settings,
            requestId: .derived(from: causationId, purpose: "stripe-update:\(link.id)"), reason: .economicChanged)
        return events
    }

    static func set(_ map: inout [String: String], _ key: String, _ value: String?) {
        if let value, !FieldValues.isBlank(value) {
            map[key] = value
        } else {
            map.removeValue(forKey: key)
        }
    }
}
