public import Foundation

/// Brings a linked pair into agreement, field by field, with the ``ThreeWayMerge``; shared by the
/// reactor (``SyncPolicy``) and by commands that create links.
///
/// For each mapped e-conomic field it merges the mapped source value, the e-conomic value and the
/// link's record, then:
/// - carries one-sided changes over: e-conomic gets one `EconomicWriteRequested` update whose
///   payload is the *full* customer (``CustomerMapper/mergeForUpdate(current:changes:)``); Stripe
///   gets one `StripeWriteRequested` with the fields it can take; a file gets nothing (Accord cannot
///   write it), but the agreed value still moves on while the file's seen value stays, so an
///   unchanged re-import does not undo the change;
/// - records conflicts (`ConflictDetected`), once per distinct pair of values; a field with an open
///   conflict is frozen until resolved, unless the sides come to agree (then the conflict is
///   cleared) or a policy now settles it;
/// - records the new agreed/seen values (`LinkSynced`) whenever they differ from the link's. The
///   echo of Accord's own write only moves the seen value (one bookkeeping event, never a write).
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
    ///   otherwise `LinkSynced` / `ConflictDetected` (partners) and write requests (new outbound streams).
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
        let economic = FieldValues.cleaned(economicFields)
        var agreed = link.agreed
        var sourceSeen = link.sourceSeen
        var economicSeen = link.economicSeen
        var economicChanges: [String: String] = [:]
        var sourceChanges: [String: String] = [:]
        var conflicts: [SyncEvent] = []
        var cleared: [String] = []

        for field in settings.mappedEconomicFields where field.spec.isMappable {
            let key = field.rawValue
            let snapshot = FieldSnapshot(
                source: mapped[key], sourceSeen: link.sourceSeen[key], economic: economic[key], economicSeen: link.economicSeen[key],
                agreed: link.agreed[key])
            let outcome = ThreeWayMerge.merge(
                snapshot, field: field, policy: settings.conflictPolicy(for: field), emptyOverwrites: settings.emptyOverwrites(field))

            if let open = link.openConflicts[key] {
                switch outcome {
                case .conflict, .noChange:
                    let same =
                        ValueEquivalence.areEquivalent(open.sourceValue, mapped[key], for: field)
                        && ValueEquivalence.areEquivalent(open.economicValue, economic[key], for: field)
                    if !same {
                        conflicts.append(
                            .conflictDetected(
                                ConflictDetected(
                                    linkId: link.id, field: key, sourceValue: mapped[key], economicValue: economic[key], baseValue: open.baseValue)))
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
                            linkId: link.id, field: key, sourceValue: mapped[key], economicValue: economic[key], baseValue: link.agreed[key])))
                continue
            }
            // Seen values only move when they mean something else (a different spelling is no news).
            if !ValueEquivalence.areEquivalent(sourceSeen[key], mapped[key], for: field) { set(&sourceSeen, key, mapped[key]) }
            if !ValueEquivalence.areEquivalent(economicSeen[key], economic[key], for: field) { set(&economicSeen, key, economic[key]) }
        }

        var events: [SyncEvent] = []
        if agreed != link.agreed || sourceSeen != link.sourceSeen || economicSeen != link.economicSeen || !cleared.isEmpty {
            events.append(
                .linkSynced(
                    LinkSynced(linkId: link.id, agreed: agreed, sourceSeen: sourceSeen, economicSeen: economicSeen, clearedConflicts: cleared)))
        }
        events += conflicts
        if !economicChanges.isEmpty, let number = link.economic.customerNumber {
            events.append(
                .economicWriteRequested(
                    EconomicWriteRequested(
                        requestId: .derived(from: causationId, purpose: "economic-update:\(link.id)"), kind: .update(customerNumber: number),
                        linkId: link.id, source: link.source,
                        payload: CustomerMapper.mergeForUpdate(current: economic, changes: economicChanges), reason: .sourceChanged)))
        }
        if let write = stripeWrite(for: sourceChanges, link: link, settings: settings, causationId: causationId, reason: .economicChanged) {
            events.append(write)
        }
        return events
    }

    /// The Stripe write carrying e-conomic values back to a Stripe source, limited to fields Stripe
    /// can take (see ``SourceField/isWritableInStripe``); `nil` for file sources or nothing to write.
    /// - Parameters:
    ///   - economicValues: e-conomic field → value to carry over (empty = clear).
    ///   - link: The link.
    ///   - settings: The tenant's settings (mappings).
    ///   - causationId: The causing event or command id.
    ///   - reason: Why the write is made.
    public static func stripeWrite(
        for economicValues: [String: String], link: PartnerLink, settings: TenantSettings, causationId: UUID, reason: WriteReason
    ) -> SyncEvent? {
        guard link.source.system == .stripe, !economicValues.isEmpty else { return nil }
        let fields = CustomerMapper.sourceChanges(for: economicValues, settings: settings).filter { key, _ in
            (try? SourceField(parsing: key))?.isWritableInStripe ?? false
        }
        guard !fields.isEmpty else { return nil }
        return .stripeWriteRequested(
            StripeWriteRequested(
                requestId: .derived(from: causationId, purpose: "stripe-update:\(link.id)"), customerId: link.source.id, kind: .fields(fields),
                linkId: link.id, reason: reason))
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

    private static func set(_ map: inout [String: String], _ key: String, _ value: String?) {
        if let value, !FieldValues.isBlank(value) {
            map[key] = value
        } else {
            map.removeValue(forKey: key)
        }
    }
}
