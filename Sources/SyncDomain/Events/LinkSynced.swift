/// The record of what a linked pair agrees on moved on. Lives in `partners`.
public struct LinkSynced: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "LinkSynced"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The link.
    public var linkId: LinkID
    /// Mapped e-conomic fields → the value both sides should hold (the merge base).
    public var agreed: [String: String]
    /// Mapped e-conomic fields → the mapped source value last seen.
    public var sourceSeen: [String: String]
    /// Mapped e-conomic fields → the e-conomic value last seen.
    public var economicSeen: [String: String]
    /// Fields whose open conflict disappeared because the sides came to agree.
    public var clearedConflicts: [String]

    /// Creates the payload.
    public init(
        linkId: LinkID, agreed: [String: String], sourceSeen: [String: String] = [:], economicSeen: [String: String] = [:],
        clearedConflicts: [String] = []
    ) {
        self.linkId = linkId
        self.agreed = agreed
        self.sourceSeen = sourceSeen
        self.economicSeen = economicSeen
        self.clearedConflicts = clearedConflicts
    }

    private enum CodingKeys: String, CodingKey {
        case linkId, agreed, sourceSeen, economicSeen, clearedConflicts
    }

    /// Decodes; fields with defaults may be absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        linkId = try c.decode(LinkID.self, forKey: .linkId)
        agreed = try c.decode([String: String].self, forKey: .agreed)
        sourceSeen = try c.decodeIfPresent([String: String].self, forKey: .sourceSeen) ?? [:]
        economicSeen = try c.decodeIfPresent([String: String].self, forKey: .economicSeen) ?? [:]
        clearedConflicts = try c.decodeIfPresent([String].self, forKey: .clearedConflicts) ?? []
    }
}
