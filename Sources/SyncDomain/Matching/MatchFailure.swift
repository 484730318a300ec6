/// Why a source customer could not be matched automatically (recorded in `MatchFailed`).
public enum MatchFailure: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A required match field is empty on the source customer.
    case matchFieldMissing(field: String)
    /// Several free e-conomic customers share the key.
    case ambiguous(key: MatchKey, candidates: [MatchCandidate])
    /// Every e-conomic customer with the key already has a partner (or is being created for one).
    case candidateAlreadyLinked(key: MatchKey, candidates: [MatchCandidate])

    /// A message a user can act on.
    public var description: String {
        switch self {
        case .matchFieldMissing(let field):
            "The match field '\(field)' is empty on this customer; fill it in or select a partner by hand."
        case .ambiguous(let key, let candidates):
            "\(candidates.count) e-conomic customers match \(key): \(candidates.map(\.description).joined(separator: ", ")). Select the partner by hand."
        case .candidateAlreadyLinked(let key, let candidates):
            "The e-conomic customer matching \(key) is already partnered: \(candidates.map(\.description).joined(separator: ", ")). Unlink it first or select another partner."
        }
    }
}
