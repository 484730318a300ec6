import Connectors
import EventStore
import PGClient

extension WebhookInbox {
    /// The customer as Stripe created it: the payload of the customer's `customer.created` delivery — the claim's own,
    /// or, for another event of the customer, the creation's delivery if the inbox has it (held by a dead processor's
    /// lease, delayed, or listed by the catch-up after the event being processed). The one payload an inbox trusts,
    /// and only for a customer it has never seen (see ``InboxProcessor``).
    /// - Returns: nil when the inbox has no creation of the customer, or its payload holds no customer.
    /// - Throws: ``PGClient/PGError``.
    func createdCustomer(of claim: Claim) async throws -> StripeCustomer? {
        guard let customerID = claim.objectID, claim.eventType.hasPrefix("customer.") else { return nil }
        let payloads = try await pool.pipeline(
            scope: .tenant(claim.tenant),
            [
                """
                SELECT payload FROM webhook_inbox
                WHERE tenant_id = \(claim.tenant.rawValue) AND object_id = \(customerID) AND event_type = 'customer.created' AND source = 'stripe'
                ORDER BY event_created, event_id LIMIT 1
                """
            ])[0].decode(PGJSON.self)
        return payloads.first.flatMap { try? $0.decode(StripeEvent.self) }?.customer
    }
}
