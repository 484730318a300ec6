/// The result of ``MatchResolver/resolve(source:settings:lookup:)``.
public enum MatchOutcome: Hashable, Sendable {
    /// Exactly one free e-conomic customer has the key.
    case matched(MatchCandidate, key: MatchKey)
    /// A required match field is empty on the source customer.
    case matchFieldMissing(field: String)
    /// Several free candidates share the key.
    case ambiguous(key: MatchKey, candidates: [MatchCandidate])
    /// Candidates exist for the key but all are partnered already.
    case candidateAlreadyLinked(key: MatchKey, candidates: [MatchCandidate])
    /// No candidate for any key; lists the keys tried.
    case noMatch(keys: [MatchKey])

    /// The failure to record, for the outcomes that are failures.
    public var failure: MatchFailure? {
        switch self {
        case .matchFieldMissing(let field): .matchFieldMissing(field: field)
        case .ambiguous(let key, let candidates): .ambiguous(key: key, candidates: candidates)
        case .candidateAlreadyLinked(let key, let candidates): .candidateAlreadyLinked(key: key, candidates: candidates)
        case .matched, .noMatch: nil
        }
    }
}
