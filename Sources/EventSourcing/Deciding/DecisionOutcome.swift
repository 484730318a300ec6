public import SyncDomain

/// What ``DecisionRunner`` appended for a decision, and what it took.
public struct DecisionOutcome<Output: Sendable>: Sendable {
    /// The output of the decision that was appended (or that appended nothing).
    public var output: Output
    /// The events appended, in order (empty: the decision changed nothing).
    public var events: [SyncEvent]
    /// Their global positions, in the same order.
    public var positions: [Int64]
    /// How many times another writer got there first and the decision was made again.
    public var conflicts: Int

    /// Makes an outcome.
    public init(output: Output, events: [SyncEvent], positions: [Int64], conflicts: Int) {
        self.output = output
        self.events = events
        self.positions = positions
        self.conflicts = conflicts
    }
}
