/// The per-field three-way merge of a linked pair (see ``FieldSnapshot`` for the bases).
///
/// After canonicalising every value with ``ValueEquivalence``:
/// - equal sides → ``MergeOutcome/noChange`` (or ``MergeOutcome/alreadyEqual(value:)`` when the
///   agreed value must catch up);
/// - a side *changed* when its value differs from both its last seen value and the agreed value;
/// - one side changed → propagate it, except that an emptied value never overwrites a filled one
///   unless `emptyOverwrites` is set for the field;
/// - both changed to different values → the filled value beats an empty one (unless
///   `emptyOverwrites`), otherwise the field's ``ConflictPolicy`` decides (`ask` = conflict);
/// - neither changed → nothing (a pending write or a value deliberately kept).
///
/// The rule is symmetric: swapping the sides (and the policy) mirrors the outcome.
public enum ThreeWayMerge {
    /// Merges one field.
    /// - Parameters:
    ///   - snapshot: The field's values and bases.
    ///   - field: The e-conomic field (decides equivalence).
    ///   - policy: The field's conflict policy.
    ///   - emptyOverwrites: Whether an emptied value may clear the other side.
    public static func merge(
        _ snapshot: FieldSnapshot, field: EconomicField, policy: ConflictPolicy = .ask, emptyOverwrites: Bool = false
    ) -> MergeOutcome {
        func canon(_ value: String?) -> String { ValueEquivalence.canonical(value, for: field) }
        let source = canon(snapshot.source)
        let economic = canon(snapshot.economic)
        let agreed = canon(snapshot.agreed)

        if source == economic {
            if source == agreed { return .noChange }
            // Prefer the source's spelling for the record; values are equivalent either way.
            return source.isEmpty ? .alreadyEqual(value: "") : .alreadyEqual(value: snapshot.source ?? snapshot.economic ?? "")
        }

        let sourceChanged = source != canon(snapshot.sourceSeen) && source != agreed
        let economicChanged = economic != canon(snapshot.economicSeen) && economic != agreed

        switch (sourceChanged, economicChanged) {
        case (false, false):
            return .noChange
        case (true, false):
            return carry(from: .source, snapshot: snapshot, emptyOverwrites: emptyOverwrites, reason: .changedOnOneSide)
        case (false, true):
            return carry(from: .economic, snapshot: snapshot, emptyOverwrites: emptyOverwrites, reason: .changedOnOneSide)
        case (true, true):
            if !emptyOverwrites {
                if source.isEmpty { return .propagate(from: .economic, value: snapshot.economic ?? "", reason: .filledBeatsEmpty) }
                if economic.isEmpty { return .propagate(from: .source, value: snapshot.source ?? "", reason: .filledBeatsEmpty) }
            }
            switch policy {
            case .ask: return .conflict
            case .sourceWins: return .propagate(from: .source, value: snapshot.source ?? "", reason: .policy(.sourceWins))
            case .economicWins: return .propagate(from: .economic, value: snapshot.economic ?? "", reason: .policy(.economicWins))
            }
        }
    }

    private static func carry(from side: Side, snapshot: FieldSnapshot, emptyOverwrites: Bool, reason: PropagationReason) -> MergeOutcome {
        let value = snapshot.current(side)
        if FieldValues.isBlank(value) {
            return emptyOverwrites ? .propagate(from: side, value: "", reason: reason) : .emptyIgnored(from: side)
        }
        return .propagate(from: side, value: value ?? "", reason: reason)
    }
}
