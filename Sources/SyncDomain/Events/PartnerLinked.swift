/// A source customer and an e-conomic customer became partners. Lives in `partners`.
public struct PartnerLinked: SyncEventPayload {
    /// The stable type name stored with the event.
    public static let typeName = "PartnerLinked"
    /// The current schema version of the payload.
    public static let schemaVersion = 1

    /// The new link.
    public var linkId: LinkID
    /// The source (Stripe or file) customer.
    public var source: CustomerRef
    /// The e-conomic customer.
    public var economic: CustomerRef
    /// How the link came about.
    public var origin: LinkOrigin
    /// Mapped e-conomic fields on which both sides agreed at link time (the first base).
    public var agreed: [String: String]

    /// Creates the payload.
    public init(linkId: LinkID, source: CustomerRef, economic: CustomerRef, origin: LinkOrigin, agreed: [String: String] = [:]) {
        self.linkId = linkId
        self.source = source
        self.economic = economic
        self.origin = origin
        self.agreed = agreed
    }

    private enum CodingKeys: String, CodingKey {
        case linkId, source, economic, origin, agreed
    }

    /// Decodes; fields with defaults may be absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        linkId = try c.decode(LinkID.self, forKey: .linkId)
        source = try c.decode(CustomerRef.self, forKey: .source)
        economic = try c.decode(CustomerRef.self, forKey: .economic)
        origin = try c.decode(LinkOrigin.self, forKey: .origin)
        agreed = try c.decodeIfPresent([String: String].self, forKey: .agreed) ?? [:]
    }
}
