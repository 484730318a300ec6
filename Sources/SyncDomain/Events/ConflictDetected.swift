/// A mapped field changed on both sides to different values. Lives in `partners`.
public struct ConflictDetected: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "ConflictDetected"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The link.
    public var linkId: LinkID
    /// The e-conomic field.
    public var field: String
    /// The mapped source value (`nil` = empty).
    public var sourceValue: String?
    /// The e-conomic value.
    public var economicValue: String?
    /// The value both last agreed on.
    public var baseValue: String?

    /// Creates the payload.
    public init(linkId: LinkID, field: String, sourceValue: String? = nil, economicValue: String? = nil, baseValue: String? = nil) {
        self.linkId = linkId
        self.field = field
        self.sourceValue = sourceValue
        self.economicValue = economicValue
        self.baseValue = baseValue
    }
}
