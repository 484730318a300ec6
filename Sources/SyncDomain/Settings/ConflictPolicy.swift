/// How a field changed on both sides to different values is settled.
public enum ConflictPolicy: String, Hashable, Sendable, Codable {
    /// Record a conflict for a user to resolve (the default).
    case ask
    /// The source value wins and is written to e-conomic.
    case sourceWins
    /// The e-conomic value wins and is written back to the source (when it can be written).
    case economicWins
}
