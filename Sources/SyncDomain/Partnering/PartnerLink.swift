/// A source customer and its e-conomic partner, with the per-field record the three-way merge uses.
///
/// All maps are keyed by e-conomic field name and hold e-conomic-vocabulary values (the source side
/// as mapped). See ``FieldSnapshot`` for why the last seen values are kept beside the agreed ones.
public struct PartnerLink: Hashable, Sendable, Codable {
    /// The link id.
    public var id: LinkID
    /// The source (Stripe or file) customer.
    public var source: CustomerRef
    /// The e-conomic customer.
    public var economic: CustomerRef
    /// How the link came about.
    public var origin: LinkOrigin
    /// Whether synchronisation is stopped.
    public var isStopped: Bool
    /// The values both sides last agreed on.
    public var agreed: [String: String]
    /// The mapped source values last seen.
    public var sourceSeen: [String: String]
    /// The e-conomic values last seen.
    public var economicSeen: [String: String]
    /// Fields waiting for a user's choice.
    public var openConflicts: [String: OpenConflict]
    /// The update of the e-conomic customer whose outcome Accord has not heard yet.
    public var economicWrite: LinkWrite?
    /// The update of the source (Stripe) customer whose outcome Accord has not heard yet.
    public var sourceWrite: LinkWrite?

    /// The link a `PartnerLinked` event makes: both sides seen as agreed, nothing open.
    public init(_ linked: PartnerLinked) {
        self.init(
            id: linked.linkId, source: linked.source, economic: linked.economic, origin: linked.origin, agreed: linked.agreed,
            sourceSeen: linked.agreed, economicSeen: linked.agreed)
    }

    /// Creates a link.
    public init(
        id: LinkID, source: CustomerRef, economic: CustomerRef, origin: LinkOrigin, isStopped: Bool = false,
        agreed: [String: String] = [:], sourceSeen: [String: String] = [:], economicSeen: [String: String] = [:],
        openConflicts: [String: OpenConflict] = [:], economicWrite: LinkWrite? = nil, sourceWrite: LinkWrite? = nil
    ) {
        self.id = id
        self.source = source
        self.economic = economic
        self.origin = origin
        self.isStopped = isStopped
        self.agreed = agreed
        self.sourceSeen = sourceSeen
        self.economicSeen = economicSeen
        self.openConflicts = openConflicts
        self.economicWrite = economicWrite
        self.sourceWrite = sourceWrite
    }

    /// The open write toward a side, if any.
    /// - Parameter side: The side written.
    public func openWrite(toward side: Side) -> LinkWrite? {
        side == .economic ? economicWrite : sourceWrite
    }

    /// Sets (or clears) the open write toward a side.
    /// - Parameters:
    ///   - write: The write, or `nil` once settled.
    ///   - side: The side written.
    public mutating func setOpenWrite(_ write: LinkWrite?, toward side: Side) {
        if side == .economic { economicWrite = write } else { sourceWrite = write }
    }

    /// The partner of one side's customer.
    /// - Parameter customer: The source or e-conomic customer of this link.
    public func partner(of customer: CustomerRef) -> CustomerRef? {
        if customer == source { return economic }
        if customer == economic { return source }
        return nil
    }
}
