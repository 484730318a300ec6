/// Whether concurrent appends of one ``EventStore`` share transactions (and so commits and WAL flushes).
public enum CommitSharing: Sendable, Hashable {
    /// Every append is a transaction of its own (the yardstick `accord-bench append` measures sharing against).
    case off
    /// Appends that arrive while `transactionsInFlight` shared transactions are running wait and go together in the
    /// next one; each still succeeds or fails on its own.
    case on(transactionsInFlight: Int)

    /// Sharing with two transactions in flight: while one commits, the next is on its way, so the hops between
    /// two transactions (answering the last one's appends, handing the lead on) do not leave the database idle.
    public static let standard = CommitSharing.on(transactionsInFlight: 2)
}
