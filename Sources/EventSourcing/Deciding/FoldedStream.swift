/// A stream folded by a decider: the state a decision is made on, and where the stream stood when it was read.
public struct FoldedStream<State> {
    /// The fold of every event of the stream.
    public var state: State
    /// The stream's version (0: no events), which an append based on this state expects.
    public var version: Int64
    /// The global position of the stream's last event (0: none).
    public var lastPosition: Int64

    /// Makes a folded stream.
    public init(state: State, version: Int64, lastPosition: Int64) {
        self.state = state
        self.version = version
        self.lastPosition = lastPosition
    }
}

extension FoldedStream: Sendable where State: Sendable {}
extension FoldedStream: Equatable where State: Equatable {}
extension FoldedStream: Hashable where State: Hashable {}
