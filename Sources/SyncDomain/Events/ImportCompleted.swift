/// An import finished. Lives in `import-<importId>`.
public struct ImportCompleted: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "ImportCompleted"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The import.
    public var importId: ImportID
    /// Customers seen for the first time.
    public var added: Int
    /// Customers whose fields changed.
    public var updated: Int
    /// Customers identical to what was known.
    public var unchanged: Int
    /// Rows rejected.
    public var rejected: Int

    /// Creates the payload.
    public init(importId: ImportID, added: Int, updated: Int, unchanged: Int, rejected: Int) {
        self.importId = importId
        self.added = added
        self.updated = updated
        self.unchanged = unchanged
        self.rejected = rejected
    }
}
