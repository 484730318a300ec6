/// A row of an import could not be read. Lives in `import-<importId>`.
public struct ImportRowRejected: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "ImportRowRejected"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The import.
    public var importId: ImportID
    /// The 1-based row number in the file (the header is row 1).
    public var row: Int
    /// The column concerned, if one.
    public var column: String?
    /// What is wrong, for the user to fix.
    public var reason: String

    /// Creates the payload.
    public init(importId: ImportID, row: Int, column: String? = nil, reason: String) {
        self.importId = importId
        self.row = row
        self.column = column
        self.reason = reason
    }
}
