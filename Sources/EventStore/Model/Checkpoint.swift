/// A reader's position in the log: the `(txid, global_position)` of the last event it has handled.
///
/// Events are read in `(txid, global_position)` order and only below the oldest running transaction,
/// so an event that commits late is never skipped (its txid is older than any later reader position).
public struct Checkpoint: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    /// The transaction id of the last event handled.
    public var transactionID: UInt64
    /// The global position of the last event handled.
    public var globalPosition: Int64

    /// Makes a checkpoint.
    public init(transactionID: UInt64, globalPosition: Int64) {
        self.transactionID = transactionID
        self.globalPosition = globalPosition
    }

    /// Before the first event.
    public static let origin = Checkpoint(transactionID: 0, globalPosition: 0)

    /// Orders by transaction id, then global position.
    public static func < (lhs: Checkpoint, rhs: Checkpoint) -> Bool {
        (lhs.transactionID, lhs.globalPosition) < (rhs.transactionID, rhs.globalPosition)
    }

    /// `txid/position`.
    public var description: String { "\(transactionID)/\(globalPosition)" }
}
