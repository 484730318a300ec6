import PropertyBased
import SyncDomain
import Testing

@Suite struct ThreeWayMergeTests {
    func merge(_ s: String?, _ e: String?, base: String?, field: EconomicField = .city, policy: ConflictPolicy = .ask, emptyOverwrites: Bool = false)
        -> MergeOutcome
    {
        ThreeWayMerge.merge(.threeWay(source: s, economic: e, base: base), field: field, policy: policy, emptyOverwrites: emptyOverwrites)
    }

    @Test func nothingChanged() {
        #expect(merge("Aarhus", "Aarhus", base: "Aarhus") == .noChange)
        #expect(merge(nil, nil, base: nil) == .noChange)
    }

    @Test func equalAfterNormalisationIsNoChange() {
        #expect(merge(" Aarhus  C", "Aarhus C", base: "Aarhus C") == .noChange)
        #expect(merge("DK", "Danmark", base: "Denmark", field: .country) == .noChange)
        #expect(merge("JANE@x.dk", "jane@x.dk", base: "jane@x.dk", field: .email) == .noChange)
    }

    @Test func sourceOnlyChangePropagatesToEconomic() {
        #expect(merge("Odense", "Aarhus", base: "Aarhus") == .propagate(from: .source, value: "Odense", reason: .changedOnOneSide))
    }

    @Test func economicOnlyChangePropagatesToSource() {
        #expect(merge("Aarhus", "Odense", base: "Aarhus") == .propagate(from: .economic, value: "Odense", reason: .changedOnOneSide))
    }

    @Test func bothChangedToTheSameValueAgree() {
        #expect(merge("Odense", "odense ", base: "Aarhus", field: .email) == .alreadyEqual(value: "Odense"))
        #expect(merge("Odense", "Odense", base: "Aarhus") == .alreadyEqual(value: "Odense"))
    }

    @Test func bothChangedDifferentlyIsAConflict() {
        #expect(merge("Odense", "Vejle", base: "Aarhus") == .conflict)
    }

    @Test func newLinkWithDifferentFilledValuesIsAConflict() {
        #expect(merge("Odense", "Vejle", base: nil) == .conflict)
    }

    @Test func newLinkFillsTheEmptySide() {
        #expect(merge("Odense", nil, base: nil) == .propagate(from: .source, value: "Odense", reason: .changedOnOneSide))
        #expect(merge(nil, "Vejle", base: nil) == .propagate(from: .economic, value: "Vejle", reason: .changedOnOneSide))
    }

    @Test func policiesSettleConflicts() {
        #expect(
            merge("Odense", "Vejle", base: "Aarhus", policy: .sourceWins) == .propagate(from: .source, value: "Odense", reason: .policy(.sourceWins)))
        #expect(
            merge("Odense", "Vejle", base: "Aarhus", policy: .economicWins)
                == .propagate(from: .economic, value: "Vejle", reason: .policy(.economicWins)))
    }

    @Test func emptyNeverOverwritesFilledUnlessChosen() {
        #expect(merge(nil, "Aarhus", base: "Aarhus") == .emptyIgnored(from: .source))
        #expect(merge("Aarhus", "", base: "Aarhus") == .emptyIgnored(from: .economic))
        #expect(merge(nil, "Aarhus", base: "Aarhus", emptyOverwrites: true) == .propagate(from: .source, value: "", reason: .changedOnOneSide))
        // Both changed, one to empty: the filled value wins, even with the sourceWins policy.
        #expect(merge(nil, "Vejle", base: "Aarhus", policy: .sourceWins) == .propagate(from: .economic, value: "Vejle", reason: .filledBeatsEmpty))
        #expect(merge(nil, "Vejle", base: "Aarhus", emptyOverwrites: true) == .conflict)
    }

    @Test func readOnlySourceDoesNotBounceEconomicChangesBack() {
        // e-conomic changed Aarhus → Odense; the file still says Aarhus. Accord agreed on Odense,
        // and remembers it last saw Aarhus in the file.
        let afterEconomicChange = FieldSnapshot(source: "Aarhus", sourceSeen: "Aarhus", economic: "Odense", economicSeen: "Odense", agreed: "Odense")
        #expect(ThreeWayMerge.merge(afterEconomicChange, field: .city) == .noChange)
        // Without the seen value, the unchanged file would look like a change and undo it.
        let naive = FieldSnapshot.threeWay(source: "Aarhus", economic: "Odense", base: "Odense")
        #expect(ThreeWayMerge.merge(naive, field: .city) == .propagate(from: .source, value: "Aarhus", reason: .changedOnOneSide))
        // A real edit of the file is still a change.
        var edited = afterEconomicChange
        edited.source = "Vejle"
        #expect(ThreeWayMerge.merge(edited, field: .city) == .propagate(from: .source, value: "Vejle", reason: .changedOnOneSide))
    }

    @Test func echoOfOwnWriteChangesNothing() {
        // Accord wrote Odense to e-conomic (agreed Odense) while e-conomic was last seen at Aarhus.
        let echo = FieldSnapshot(source: "Odense", sourceSeen: "Odense", economic: "Odense", economicSeen: "Aarhus", agreed: "Odense")
        #expect(ThreeWayMerge.merge(echo, field: .city) == .noChange)
        // Before the write lands, the old e-conomic value is not a change either.
        let pending = FieldSnapshot(source: "Odense", sourceSeen: "Odense", economic: "Aarhus", economicSeen: "Aarhus", agreed: "Odense")
        #expect(ThreeWayMerge.merge(pending, field: .city) == .noChange)
    }

    static let pool: [String?] = [nil, "", "a", "A", " a ", "b", "c", "DK", "Denmark", "de"]
    static let fields: [EconomicField] = [.name, .email, .city, .country, .telephoneAndFaxNumber]
    static let policies: [ConflictPolicy] = [.ask, .sourceWins, .economicWins]

    func mirror(_ policy: ConflictPolicy) -> ConflictPolicy {
        switch policy {
        case .ask: .ask
        case .sourceWins: .economicWins
        case .economicWins: .sourceWins
        }
    }

    func canonical(_ outcome: MergeOutcome, _ field: EconomicField) -> MergeOutcome {
        switch outcome {
        case .alreadyEqual(let value): .alreadyEqual(value: ValueEquivalence.canonical(value, for: field))
        case .propagate(let from, let value, let reason): .propagate(from: from, value: ValueEquivalence.canonical(value, for: field), reason: reason)
        default: outcome
        }
    }

    @Test func mergeIsSymmetric() async {
        let value = Gen<String??>.element(of: Self.pool).map { $0 ?? nil }
        let snapshot = value.array(of: 5...5).map {
            FieldSnapshot(source: $0[0], sourceSeen: $0[1], economic: $0[2], economicSeen: $0[3], agreed: $0[4])
        }
        let setting = Gen<EconomicField?>.element(of: Self.fields).map { $0! }
        let policy = Gen<ConflictPolicy?>.element(of: Self.policies).map { $0! }
        await propertyCheck(count: 1000, input: snapshot, setting, policy, Gen.bool) { snapshot, field, policy, emptyOverwrites in
            let outcome = ThreeWayMerge.merge(snapshot, field: field, policy: policy, emptyOverwrites: emptyOverwrites)
            let swapped = ThreeWayMerge.merge(snapshot.mirrored, field: field, policy: mirror(policy), emptyOverwrites: emptyOverwrites)
            #expect(canonical(swapped, field) == canonical(outcome.mirrored, field))

            // And the outcome is sensible: a propagated value comes from its side and differs from the other.
            if case .propagate(let from, let value, _) = outcome {
                #expect(ValueEquivalence.areEquivalent(value, snapshot.current(from), for: field))
                #expect(!ValueEquivalence.areEquivalent(value, snapshot.current(from.opposite), for: field))
                if FieldValues.isBlank(value) { #expect(emptyOverwrites) }
            }
            if outcome == .conflict {
                #expect(!ValueEquivalence.areEquivalent(snapshot.source, snapshot.economic, for: field))
                #expect(policy == .ask)
            }
        }
    }
}
