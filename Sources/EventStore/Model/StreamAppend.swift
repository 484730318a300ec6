/// One stream's part of an atomic append: where, at which expected version, what.
public struct StreamAppend: Sendable, Hashable {
    /// The stream to append to.
    public var stream: StreamID
    /// The version the writer expects the stream to be at.
    public var expectedVersion: ExpectedVersion
    /// The events, in order (may be empty: then only the expected version is checked).
    public var events: [NewEvent]

    /// Makes an append.
    public init(stream: StreamID, expecting expectedVersion: ExpectedVersion, events: [NewEvent]) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.events = events
    }
}
