extension Sequence {
    /// The elements' positions grouped by `key`, the groups in the order their keys first appear and each group's
    /// positions in order: how work that arrives mixed (appends, deliveries) is split per tenant or per customer
    /// without losing its order.
    public func groupedPositions<Key: Hashable>(by key: (Element) throws -> Key) rethrows -> [[Int]] {
        var groups: [[Int]] = []
        var groupOfKey: [Key: Int] = [:]
        for (position, element) in enumerated() {
            let key = try key(element)
            if let group = groupOfKey[key] {
                groups[group].append(position)
            } else {
                groupOfKey[key] = groups.count
                groups.append([position])
            }
        }
        return groups
    }
}
