public import Connectors
public import EventStore
public import Logging
import SyncDomain
public import SyncEngine

/// Brings Stripe customers into the log as observations: the backfill that lists every customer (webhooks and
/// the catch-up from the events list then keep them current). Each page read is retried on its own (a 429 waits
/// the `Retry-After`, see ``ReadRetry``), so a long backfill never starts over.
public struct StripeIngest: Sendable {
    /// What a backfill did.
    public struct Backfill: Sendable, Hashable {
        /// Customers listed.
        public var read: Int
        /// Observations that changed something.
        public var changed: Int
    }

    let handler: CommandHandler
    let pageSize: Int
    let retry: ReadRetry
    let logger: Logger

    /// Makes an ingest over the command handler.
    /// - Parameters:
    ///   - handler: records the observations.
    ///   - pageSize: customers per page, 1…100.
    ///   - retry: how each page read is retried.
    ///   - logger: waits before retries at notice level.
    public init(handler: CommandHandler, pageSize: Int = 100, retry: ReadRetry = .standard, logger: Logger) {
        self.handler = handler
        self.pageSize = pageSize
        self.retry = retry
        self.logger = logger
    }

    /// Lists every customer (cursor paging) and observes each.
    /// - Throws: ``Connectors/StripeAPIError`` once a page cannot be read by waiting, or ``CommandError``.
    public func backfill(client: StripeClient, tenant: TenantID, progress: @Sendable (Int) -> Void = { _ in }) async throws -> Backfill {
        var result = Backfill(read: 0, changed: 0)
        let metadata = CommandMetadata(actor: "stripe:backfill")
        var after: String?
        repeat {
            let cursor = after
            let page = try await retry.run("list Stripe customers", logger: logger) {
                try await client.customers(limit: pageSize, startingAfter: cursor)
            }
            for customer in page.data {
                result.read += 1
                guard !customer.isDeleted else { continue }
                let observed = CustomerObserved(customer: .stripe(customer.id), fields: customer.sourceFields)
                if try await !handler.observeCustomer(observed, tenant: tenant, metadata: metadata).events.isEmpty { result.changed += 1 }
                progress(result.read)
            }
            after = page.data.isEmpty ? nil : page.nextCursor
        } while after != nil
        return result
    }
}
