import EventStore

extension WebhookInbox.Claim {
    /// The claims in the order to process them: the places stay as the claim's turns gave them (so tenants still
    /// alternate), but each tenant's places go to its own deliveries in event order (`created`, then id), as the
    /// inbox processed them before claims took turns — Stripe delivers out of order, and a lease that lapsed can put
    /// an older delivery behind a newer one.
    /// - Parameter claims: one claim's deliveries, by turn.
    static func inEventOrderWithinTenants(_ claims: [Self]) -> [Self] {
        let byTenant = Dictionary(grouping: claims, by: \.tenant).mapValues {
            $0.sorted { ($0.eventCreated, $0.eventID) < ($1.eventCreated, $1.eventID) }
        }
        var taken: [TenantID: Int] = [:]
        return claims.map { place in
            let index = taken[place.tenant, default: 0]
            taken[place.tenant] = index + 1
            guard var claim = byTenant[place.tenant]?[index] else { return place }
            claim.turn = place.turn
            return claim
        }
    }
}
