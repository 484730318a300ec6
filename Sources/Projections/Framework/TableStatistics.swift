/// When a projector's tables get fresh planner statistics: after the first thousand events it applies, then each
/// time its count doubles (at least every 100,000 events), so the statistics never lag the tables by more than
/// half of what they hold.
struct TableStatistics: Sendable {
    private(set) var applied = 0
    private(set) var nextRefresh = 1_000

    /// Counts `count` more events; true when the tables' statistics are due for a refresh.
    mutating func applied(_ count: Int) -> Bool {
        applied += count
        guard applied >= nextRefresh else { return false }
        nextRefresh = min(applied * 2, applied + 100_000)
        return true
    }
}
