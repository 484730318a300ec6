import Connectors
import EventStore
import PGClient

extension WebhookInbox {
    /// The customer a `customer.created` delivery carries: Stripe's copy of it as it was created. The one payload an
    /// inbox trusts, and only for a customer it has never seen (see ``InboxProcessor``).
    /// - Returns: nil for other events, or when the stored payload holds no customer.
    /// - Throws: ``PGClient/PGError``.
    func createdCustomer(of claim: Claim) async throws -> StripeCustomer? {
        guard claim.eventType == "customer.created" else { return nil }
        let payloads = try await pool.withTransaction(scope: .tenant(claim.tenant)) { connection in
            try await connection.query(
                "SELECT payload FROM webhook_inbox WHERE source = 'stripe' AND event_id = \(claim.eventID)"
            ).decode(PGJSON.self)
        }
        return payloads.first.flatMap { try? $0.decode(StripeEvent.self) }?.customer
    }
}
