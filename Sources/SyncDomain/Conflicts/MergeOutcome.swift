/// What the three-way merge decides for one field.
public enum MergeOutcome: Hashable, Sendable {
    /// Neither side changed (they may still differ while a write is under way).
    case noChange
    /// The sides hold equivalent values that differ from the agreed one: only the record moves on.
    case alreadyEqual(value: String)
    /// A change on `from` is carried to the other side.
    case propagate(from: Side, value: String, reason: PropagationReason)
    /// `from` cleared a value the other side still has; the filled value stays (empty never
    /// overwrites filled unless the field allows it).
    case emptyIgnored(from: Side)
    /// Both sides changed to different values and the field's policy says ask.
    case conflict

    /// The outcome with the sides swapped (symmetry: `merge(s.mirrored) == merge(s).mirrored`).
    public var mirrored: MergeOutcome {
        switch self {
        case .noChange, .alreadyEqual, .conflict: self
        case .propagate(let from, let value, let reason): .propagate(from: from.opposite, value: value, reason: reason.mirrored)
        case .emptyIgnored(let from): .emptyIgnored(from: from.opposite)
        }
    }
}

/// Why a value is carried from one side to the other.
public enum PropagationReason: Hashable, Sendable, Codable {
    /// Only that side changed.
    case changedOnOneSide
    /// Both changed; one side emptied the value and the other's filled value wins.
    case filledBeatsEmpty
    /// Both changed; the field's conflict policy picked the winner.
    case policy(ConflictPolicy)

    /// The reason with sides swapped (a `sourceWins` policy reads `economicWins` when mirrored).
    public var mirrored: PropagationReason {
        switch self {
        case .changedOnOneSide, .filledBeatsEmpty: self
        case .policy(.sourceWins): .policy(.economicWins)
        case .policy(.economicWins): .policy(.sourceWins)
        case .policy(.ask): .policy(.ask)
        }
    }
}
