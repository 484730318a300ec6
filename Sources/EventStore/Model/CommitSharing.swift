/// Whether concurrent appends of one ``EventStore`` share transactions (and so commits and WAL flushes).
public enum CommitSharing: Sendable, Hashable {
    /// Every append is a transaction of its own (the yardstick `accord-bench append` measures sharing against).
    case off
    /// Appends that arrive while another is running wait and go together in a following transaction; each still
    /// succeeds or fails on its own. Up to `flushers` shared transactions run at once (see `AppendCombiner`).
    case on(flushers: Int)

    /// Sharing with one flusher.
    public static let standard = CommitSharing.on(flushers: 1)
}
