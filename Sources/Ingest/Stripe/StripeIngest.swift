public import Connectors
public import EventStore
import SyncDomain
public import SyncEngine

/// Brings Stripe customers into the log as observations: the backfill that lists every customer (webhooks
/// then keep them current).
public struct StripeIngest: Sendable {
    /// What a backfill did.
    public struct Backfill: Sendable, Hashable {
        /// Customers listed.
        public var read: Int
        /// Observations that changed something.
        public var changed: Int
    }

    let handler: CommandHandler

    /// Makes an ingest over the command handler.
    public init(handler: CommandHandler) { self.handler = handler }

    /// Lists every customer (cursor paging) and observes each.
    /// - Throws: ``Connectors/StripeAPIError`` or ``CommandError``.
    public func backfill(client: StripeClient, tenant: TenantID, progress: @Sendable (Int) -> Void = { _ in }) async throws -> Backfill {
        var result = Backfill(read: 0, changed: 0)
        let metadata = CommandMetadata(actor: "stripe:backfill")
        for try await customer in client.allCustomers() {
            result.read += 1
            guard !customer.isDeleted else { continue }
            let observed = CustomerObserved(customer: .stripe(customer.id), fields: customer.sourceFields)
            if try await !handler.observeCustomer(observed, tenant: tenant, metadata: metadata).events.isEmpty { result.changed += 1 }
            progress(result.read)
        }
        return result
    }
}
