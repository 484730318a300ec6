/// A user chose, field by field, which values a conflicting pair keeps; both sides are then brought to them. Lives in `partners`.
public struct ConflictResolved: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "ConflictResolved"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The link.
    public var linkId: LinkID
    /// e-conomic field → choice.
    public var choices: [String: ConflictChoice]
    /// e-conomic field → the value both sides get (empty = cleared).
    public var resultingValues: [String: String]

    /// Creates the payload.
    public init(linkId: LinkID, choices: [String: ConflictChoice], resultingValues: [String: String]) {
        self.linkId = linkId
        self.choices = choices
        self.resultingValues = resultingValues
    }
}
