/// A link was removed (the customers stay). Lives in `partners`.
public struct PartnerUnlinked: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "PartnerUnlinked"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The link.
    public var linkId: LinkID
    /// Why.
    public var reason: UnlinkReason

    /// Creates the payload.
    public init(linkId: LinkID, reason: UnlinkReason) {
        self.linkId = linkId
        self.reason = reason
    }
}
