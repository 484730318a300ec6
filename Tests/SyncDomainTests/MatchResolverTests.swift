import SyncDomain
import Testing

@Suite struct MatchResolverTests {
    let settings = Fixtures.settings {
        $0.matchFields = [
            MatchField(source: "email", economic: "email"),
            MatchField(source: "metadata.customer_number", economic: "customerNumber", required: false),
        ]
    }

    func index(_ entries: [MatchKey: [MatchCandidate]]) -> (MatchKey) -> [MatchCandidate] { { entries[$0] ?? [] } }

    @Test func exactlyOneFreeCandidateMatches() {
        let key = MatchKey(kind: .email, normalizedValue: "jane@example.com")
        let outcome = MatchResolver.resolve(
            source: ["email": " Jane@Example.com"], settings: settings, lookup: index([key: [.free(.economic(1042))]]))
        #expect(outcome == .matched(.free(.economic(1042)), key: key))
    }

    @Test func emptyRequiredMatchFieldIsAnError() {
        let outcome = MatchResolver.resolve(source: ["name": "Jane"], settings: settings, lookup: { _ in [.free(.economic(1))] })
        #expect(outcome == .matchFieldMissing(field: "email"))
        #expect(outcome.failure == .matchFieldMissing(field: "email"))
    }

    @Test func requiredFieldWithoutUsableKeyIsMissing() {
        let phoneSettings = Fixtures.settings { $0.matchFields = [MatchField(source: "phone", economic: "telephoneAndFaxNumber")] }
        #expect(MatchResolver.resolve(source: ["phone": "n/a"], settings: phoneSettings, lookup: { _ in [] }) == .matchFieldMissing(field: "phone"))
    }

    @Test func severalFreeCandidatesAreAmbiguous() {
        let key = MatchKey(kind: .email, normalizedValue: "jane@example.com")
        let outcome = MatchResolver.resolve(
            source: ["email": "jane@example.com"], settings: settings,
            lookup: index([key: [.free(.economic(1)), .free(.economic(2)), .free(.economic(1))]]))
        #expect(outcome == .ambiguous(key: key, candidates: [.free(.economic(1)), .free(.economic(2))]))
    }

    @Test func singleCandidateAlreadyLinkedIsReported() {
        let key = MatchKey(kind: .email, normalizedValue: "jane@example.com")
        let taken = MatchCandidate.linked(.economic(1), to: .stripe("cus_other"))
        let outcome = MatchResolver.resolve(source: ["email": "jane@example.com"], settings: settings, lookup: index([key: [taken]]))
        #expect(outcome == .candidateAlreadyLinked(key: key, candidates: [taken]))
    }

    @Test func linkedCandidatesAreIgnoredWhenOneFreeRemains() {
        let key = MatchKey(kind: .email, normalizedValue: "jane@example.com")
        let outcome = MatchResolver.resolve(
            source: ["email": "jane@example.com"], settings: settings,
            lookup: index([key: [.linked(.economic(1), to: .stripe("cus_x")), .free(.economic(2))]]))
        #expect(outcome == .matched(.free(.economic(2)), key: key))
    }

    @Test func laterPairIsTriedWhenEarlierFindsNothing() {
        let numberKey = MatchKey(kind: .customerNumber, normalizedValue: "77")
        let outcome = MatchResolver.resolve(
            source: ["email": "new@example.com", "metadata.customer_number": "0077"], settings: settings,
            lookup: index([numberKey: [.free(.economic(77))]]))
        #expect(outcome == .matched(.free(.economic(77)), key: numberKey))
    }

    @Test func noCandidateListsTheKeysTried() {
        let outcome = MatchResolver.resolve(
            source: ["email": "new@example.com", "metadata.customer_number": "5"], settings: settings, lookup: { _ in [] })
        #expect(
            outcome
                == .noMatch(keys: [MatchKey(kind: .email, normalizedValue: "new@example.com"), MatchKey(kind: .customerNumber, normalizedValue: "5")])
        )
    }

    @Test func economicCustomersAreIndexedUnderEveryKey() {
        let keys = MatchResolver.economicKeys(["email": "a@x.dk b@y.dk", "customerNumber": "1042", "name": "X"], settings: settings)
        #expect(
            keys == [
                MatchKey(kind: .email, normalizedValue: "a@x.dk"), MatchKey(kind: .email, normalizedValue: "b@y.dk"),
                MatchKey(kind: .customerNumber, normalizedValue: "1042"),
            ])
    }

    @Test func failureDescriptionsNameTheKeyAndCandidates() {
        let key = MatchKey(kind: .email, normalizedValue: "a@x.dk")
        let text = MatchFailure.ambiguous(key: key, candidates: [.free(.economic(1)), .free(.economic(2))]).description
        #expect(text.contains("email:a@x.dk") && text.contains("economic:1") && text.contains("economic:2"))
    }
}
