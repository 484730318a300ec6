/// The fold of one `import-<importId>` stream.
public struct ImportState: Hashable, Sendable {
    /// The upload, once received.
    public var received: ImportReceived?
    /// Rows rejected so far.
    public var rejectedRows: [Int]
    /// The summary, once completed.
    public var completed: ImportCompleted?

    /// Creates a state.
    public init(received: ImportReceived? = nil, rejectedRows: [Int] = [], completed: ImportCompleted? = nil) {
        self.received = received
        self.rejectedRows = rejectedRows
        self.completed = completed
    }

    /// The state of an empty stream.
    public static let initial = ImportState()
}
