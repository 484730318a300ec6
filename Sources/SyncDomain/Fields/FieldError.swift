/// A field key that is not part of a vocabulary.
public enum FieldError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The key is neither a known source field nor `metadata.<key>`.
    case unknownSourceField(String)
    /// A `metadata.<key>` whose key breaks Stripe's rules.
    case invalidMetadataKey(key: String, reason: String)
    /// The key is not an e-conomic customer field Accord knows.
    case unknownEconomicField(String)

    /// A message naming the offending key.
    public var description: String {
        switch self {
        case .unknownSourceField(let key):
            "Unknown source field '\(key)'. Use one of \(SourceField.known.map(\.key).joined(separator: ", ")) or metadata.<key>."
        case .invalidMetadataKey(let key, let reason):
            "Invalid Stripe metadata key '\(key)': \(reason)."
        case .unknownEconomicField(let key):
            "Unknown e-conomic customer field '\(key)'. Use one of \(EconomicField.allCases.map(\.rawValue).joined(separator: ", "))."
        }
    }
}
