/// The fold of a tenant's `partners` stream: links, their stop flags, agreed and seen values, open
/// conflicts, and pending creations.
public struct PartneringState: Hashable, Sendable, Codable {
    /// Links by id.
    public var links: [LinkID: PartnerLink]
    /// Source customer → link.
    public var linkBySource: [CustomerRef: LinkID]
    /// e-conomic customer → link.
    public var linkByEconomic: [CustomerRef: LinkID]
    /// Creations requested and not yet linked or cancelled (change them with ``addPendingCreation(_:)`` and
    /// ``removePendingCreation(_:)``, which keep the lookups by customer, match key and number in step).
    public private(set) var pendingCreations: [RequestID: PendingCreation]
    private var pendingBySource: [CustomerRef: Set<RequestID>] = [:]
    private var pendingByKey: [MatchKey: Set<RequestID>] = [:]
    private var reservedNumberCounts: [Int: Int] = [:]
    private var linkByOpenWrite: [RequestID: LinkID] = [:]

    /// Creates a state.
    public init(
        links: [LinkID: PartnerLink] = [:], linkBySource: [CustomerRef: LinkID] = [:], linkByEconomic: [CustomerRef: LinkID] = [:],
        pendingCreations: [RequestID: PendingCreation] = [:]
    ) {
        self.links = links
        self.linkBySource = linkBySource
        self.linkByEconomic = linkByEconomic
        self.pendingCreations = [:]
        for pending in pendingCreations.values { addPendingCreation(pending) }
        for link in links.values {
            for side in Side.allCases { if let write = link.openWrite(toward: side) { linkByOpenWrite[write.requestId] = link.id } }
        }
    }

    /// Records a link's open write toward a side (replacing the one it supersedes), or clears it once settled.
    /// - Parameters:
    ///   - write: The write, or `nil`.
    ///   - side: The side written.
    ///   - id: The link.
    public mutating func setOpenWrite(_ write: LinkWrite?, toward side: Side, of id: LinkID) {
        guard var link = links[id] else { return }
        if let previous = link.openWrite(toward: side) { linkByOpenWrite[previous.requestId] = nil }
        link.setOpenWrite(write, toward: side)
        if let write { linkByOpenWrite[write.requestId] = id }
        links[id] = link
    }

    /// The link whose open write is `requestId`, and the side it writes; `nil` when no link waits for it (a
    /// create, a superseded write, or a write recorded before links kept their open writes).
    /// - Parameter requestId: An outbound request.
    public func link(awaiting requestId: RequestID) -> (link: PartnerLink, target: Side)? {
        guard let id = linkByOpenWrite[requestId], let link = links[id] else { return nil }
        for side in Side.allCases where link.openWrite(toward: side)?.requestId == requestId { return (link, side) }
        return nil
    }

    /// Records a requested creation (replacing one with the same request id).
    public mutating func addPendingCreation(_ pending: PendingCreation) {
        removePendingCreation(pending.requestId)
        pendingCreations[pending.requestId] = pending
        pendingBySource[pending.from, default: []].insert(pending.requestId)
        guard pending.targetSystem == .economic else { return }
        for key in pending.matchKeys { pendingByKey[key, default: []].insert(pending.requestId) }
        if let number = pending.customerNumber { reservedNumberCounts[number, default: 0] += 1 }
    }

    /// Forgets a requested creation (linked or cancelled).
    public mutating func removePendingCreation(_ requestId: RequestID) {
        guard let pending = pendingCreations.removeValue(forKey: requestId) else { return }
        pendingBySource[pending.from]?.remove(requestId)
        if pendingBySource[pending.from]?.isEmpty == true { pendingBySource[pending.from] = nil }
        guard pending.targetSystem == .economic else { return }
        for key in pending.matchKeys {
            pendingByKey[key]?.remove(requestId)
            if pendingByKey[key]?.isEmpty == true { pendingByKey[key] = nil }
        }
        if let number = pending.customerNumber {
            reservedNumberCounts[number, default: 1] -= 1
            if reservedNumberCounts[number] == 0 { reservedNumberCounts[number] = nil }
        }
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
        pendingBySource[customer]?.min().flatMap { pendingCreations[$0] }
    }

    /// Pending e-conomic creations carrying `key`, as match candidates (never free: each is
    /// reserved for the customer it is created from).
    /// - Parameter key: A match key.
    public func pendingCandidates(for key: MatchKey) -> [MatchCandidate] {
        (pendingByKey[key] ?? []).sorted()
            .compactMap { pendingCreations[$0] }
            .map { MatchCandidate(target: .pendingCreation($0.requestId), partner: $0.from) }
    }

    /// Customer numbers reserved by pending e-conomic creations.
    public var reservedCustomerNumbers: Set<Int> {
        Set(reservedNumberCounts.keys)
    }

    // The lookups are derived from `pendingCreations`: not encoded, rebuilt when decoding.
    private enum CodingKeys: String, CodingKey { case links, linkBySource, linkByEconomic, pendingCreations }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            links: try container.decode([LinkID: PartnerLink].self, forKey: .links),
            linkBySource: try container.decode([CustomerRef: LinkID].self, forKey: .linkBySource),
            linkByEconomic: try container.decode([CustomerRef: LinkID].self, forKey: .linkByEconomic),
            pendingCreations: try container.decode([RequestID: PendingCreation].self, forKey: .pendingCreations))
    }
}
