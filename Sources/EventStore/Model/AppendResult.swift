/// What an append stored.
public struct AppendResult: Sendable, Hashable {
    /// The stream's version after the append (the last event's version).
    public var streamVersion: Int64
    /// The global positions of the appended events, in order.
    public var globalPositions: [Int64]

    /// Makes a result.
    public init(streamVersion: Int64, globalPositions: [Int64]) {
        self.streamVersion = streamVersion
        self.globalPositions = globalPositions
    }
}
