import Connectors
import EventStore
import PGClient

extension WebhookInbox {
    /// The customers as Stripe created them: for each claim about a customer, the payload of the customer's
    /// `customer.created` delivery — the claim's own, or, for another event of the customer, the creation's delivery
    /// if the inbox has it (held by a dead processor's lease, delayed, or listed by the catch-up after the event being
    /// processed). The one payload an inbox trusts, and only for a customer it has never seen (see
    /// ``InboxProcessor``). Claims of a creation carry it; the others' are read in one query.
    /// - Parameter claims: claims of one tenant.
    /// - Returns: by Stripe customer id; a customer whose creation the inbox does not have, or whose payload holds no
    ///   customer, is missing.
    /// - Throws: ``PGClient/PGError``.
    func createdCustomers(of claims: [Claim], tenant: TenantID) async throws -> [String: StripeCustomer] {
        var created: [String: StripeCustomer] = [:]
        var unknown = Set<String>()
        for claim in claims {
            guard let customerID = claim.objectID, claim.eventType.hasPrefix("customer.") else { continue }
            // A customer has one creation: a claim of it carries its payload.
            if let creation = claim.creation {
                created[customerID] = (try? creation.decode(StripeEvent.self))?.customer
            } else {
                unknown.insert(customerID)
            }
        }
        unknown.subtract(created.keys)
        guard !unknown.isEmpty else { return created }
        let rows = try await pool.pipeline(
            scope: .tenant(tenant),
            [
                """
                SELECT DISTINCT ON (object_id) object_id, payload FROM webhook_inbox
                WHERE tenant_id = \(tenant.rawValue) AND object_id = ANY(\(unknown.sorted())::text[]) AND event_type = 'customer.created'
                    AND source = 'stripe'
                ORDER BY object_id, event_created, event_id
                """
            ])[0].decode((String, PGJSON).self)
        for (customerID, payload) in rows {
            created[customerID] = (try? payload.decode(StripeEvent.self))?.customer
        }
        return created
    }
}
