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

    /// Creates a link.
    public init(
        id: LinkID, source: CustomerRef, economic: CustomerRef, origin: LinkOrigin, isStopped: Bool = false,
        agreed: [String: String] = [:], sourceSeen: [String: String] = [:], economicSeen: [String: String] = [:],
        openConflicts: [String: OpenConflict] = [:]
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
    }

    /// The partner of one side's customer.
    /// - Parameter customer: The source or e-conomic customer of this link.
    public func partner(of customer: CustomerRef) -> CustomerRef? {
        if customer == source { return economic }
        if customer == economic { return source }
        return nil
    }
}
