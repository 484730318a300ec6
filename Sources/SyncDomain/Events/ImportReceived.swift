/// A customer file was uploaded. Opens `import-<importId>`.
public struct ImportReceived: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "ImportReceived"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The import.
    public var importId: ImportID
    /// The file's name as uploaded.
    public var fileName: String
    /// The file's SHA-256, hex.
    public var sha256: String

    /// Creates the payload.
    public init(importId: ImportID, fileName: String, sha256: String) {
        self.importId = importId
        self.fileName = fileName
        self.sha256 = sha256
    }
}
