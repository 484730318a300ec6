/// The fold of a tenant's `partners` stream: links, their stop flags, agreed and seen values, open
/// conflicts, and pending creations.
public struct PartneringState: Hashable, Sendable, Codable {
    /// Links by id.
    public var links: [LinkID: PartnerLink]
    /// Source customer → link.
    public var linkBySource: [CustomerRef: LinkID]
    /// e-conomic customer → link.
    public var linkByEconomic: [CustomerRef: LinkID]
    /// Creations requested and not yet linked or cancelled.
    public var pendingCreations: [RequestID: PendingCreation]

    /// Creates a state.
    public init(
        links: [LinkID: PartnerLink] = [:], linkBySource: [CustomerRef: LinkID] = [:], linkByEconomic: [CustomerRef: LinkID] = [:],
        pendingCreations: [RequestID: PendingCreation] = [:]
    ) {
        self.links = links
        self.linkBySource = linkBySource
        self.linkByEconomic = linkByEconomic
        self.pendingCreations = pendingCreations
    }

    /// The state of an empty stream.
    public static let initial = PartneringState()

    /// The link a customer (of either side) belongs to.
    /// - Parameter customer: A source or e-conomic customer.
    public func link(of customer: CustomerRef) -> PartnerLink? {
        let id = customer.system == .economic ? linkByEconomic[customer] : linkBySource[customer]
        return id.flatMap { links[$0] }
    }

    /// The pending creation of a customer's partner, if one is under way.
    /// - Parameter customer: The customer the partner is created from.
    public func pendingCreation(from customer: CustomerRef) -> PendingCreation? {
        pendingCreations.values.filter { $0.from == customer }.min { $0.requestId < $1.requestId }
    }

    /// Pending e-conomic creations carrying `key`, as match candidates (never free: each is
    /// reserved for the customer it is created from).
    /// - Parameter key: A match key.
    public func pendingCandidates(for key: MatchKey) -> [MatchCandidate] {
        pendingCreations.values
            .filter { $0.targetSystem == .economic && $0.matchKeys.contains(key) }
            .sorted { $0.requestId < $1.requestId }
            .map { MatchCandidate(target: .pendingCreation($0.requestId), partner: $0.from) }
    }

    /// Customer numbers reserved by pending e-conomic creations.
    public var reservedCustomerNumbers: Set<Int> {
        Set(pendingCreations.values.filter { $0.targetSystem == .economic }.compactMap(\.customerNumber))
    }
}
