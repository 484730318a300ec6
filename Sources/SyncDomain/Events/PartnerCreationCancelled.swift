/// A pending creation was given up (e.g. after its request was abandoned). Lives in `partners`. Not in the first catalogue: without it a failed creation would block its customer forever.
public struct PartnerCreationCancelled: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "PartnerCreationCancelled"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The creation's request.
    public var requestId: RequestID
    /// Why, for the activity view.
    public var reason: String

    /// Creates the payload.
    public init(requestId: RequestID, reason: String) {
        self.requestId = requestId
        self.reason = reason
    }
}
