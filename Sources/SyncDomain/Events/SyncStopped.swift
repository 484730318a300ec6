/// Synchronisation of a linked pair was stopped. Lives in `partners`.
public struct SyncStopped: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "SyncStopped"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The link.
    public var linkId: LinkID

    /// Creates the payload.
    public init(linkId: LinkID) {
        self.linkId = linkId
    }
}
