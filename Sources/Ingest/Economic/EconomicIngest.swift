public import Connectors
public import EventStore
public import Foundation
public import Logging
import SyncDomain
public import SyncEngine

/// Brings e-conomic customers into the log as observations: a full read (which also notices customers deleted
/// in e-conomic), or only those changed since a time (`lastUpdated$gt`, for polling).
///
/// Pages are read one at a time and observed as they come; each page read is retried on its own (a 429 waits the
/// `Retry-After`, see ``ReadRetry``), so a long read never starts over.
///
/// e-conomic pages by index, which is not a snapshot: a customer deleted on an early page while the read goes on
/// shifts every later customer one place forward, and one of them slips between two pages. So a customer the
/// full read did not list is recorded as deleted only after `GET /customers/{n}` answers 404; one that is still
/// there is observed instead.
public struct EconomicIngest: Sendable {
    /// What one pass did.
    public struct Pass: Sendable, Hashable {
        /// Customers read from e-conomic.
        public var read: Int
        /// Observations that changed something (the others were identical to what Accord knew).
        public var changed: Int
        /// Customers recorded as deleted (full passes only), each confirmed by a 404.
        public var deleted: Int
        /// Customers the list missed although they exist (found by the confirmation, and observed).
        public var missedByPaging: Int
        /// The newest `lastUpdated` seen, to poll from next time.
        public var newest: Date?
    }

    let handler: CommandHandler
    let store: EventStore
    let pageSize: Int
    let retry: ReadRetry
    let logger: Logger

    /// Makes an ingest over the command handler.
    /// - Parameters:
    ///   - handler: records the observations and deletions.
    ///   - store: the handler's event store (for the e-conomic customers Accord knows, read from the log).
    ///   - pageSize: customers per page, 1…1000.
    ///   - retry: how each read is retried.
    ///   - logger: waits before retries at notice level.
    public init(
        handler: CommandHandler, store: EventStore, pageSize: Int = EconomicClient.maxPageSize, retry: ReadRetry = .standard, logger: Logger
    ) {
        self.handler = handler
        self.store = store
        self.pageSize = pageSize
        self.retry = retry
        self.logger = logger
    }

    /// Observes e-conomic's customers: all when `since` is nil (then customers Accord knows that e-conomic no
    /// longer has are recorded as deleted), else those changed after `since` (with a two-second margin, since
    /// e-conomic keeps `lastUpdated` to the second; identical re-observations change nothing).
    /// - Parameter progress: customers handled so far and the total e-conomic reported.
    /// - Throws: ``Connectors/EconomicAPIError`` once a read cannot pass by waiting, or ``CommandError``.
    public func pass(client: EconomicClient, tenant: TenantID, since: Date?, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws
        -> Pass
    {
        let filter = since.map { EconomicFilter.lastUpdated(after: $0.addingTimeInterval(-2)) }
        let sort = since == nil ? "customerNumber" : "lastUpdated,customerNumber"
        let metadata = CommandMetadata(actor: "economic:\(since == nil ? "full-read" : "poll")")
        var result = Pass(read: 0, changed: 0, deleted: 0, missedByPaging: 0, newest: since)
        var present: Set<String> = []
        var index = 0
        while true {
            let page = try await retry.run("list e-conomic customers, page \(index + 1)", logger: logger) {
                try await client.customers(filter: filter, sort: sort, page: index, pageSize: pageSize)
            }
            for customer in page.items {
                guard let number = customer.customerNumber else { continue }
                present.insert(String(number))
                result.read += 1
                if try await observe(customer, tenant: tenant, metadata: metadata) { result.changed += 1 }
                if let updated = customer.lastUpdatedDate, updated > (result.newest ?? .distantPast) { result.newest = updated }
                progress(result.read, max(result.read, page.pagination.results))
            }
            guard page.hasNextPage, !page.items.isEmpty else { break }
            index += 1
        }
        guard since == nil else { return result }
        for id in try await knownCustomers(of: tenant).subtracting(present).sorted() {
            guard let number = Int(id) else { continue }
            let current = try await retry.run("read e-conomic customer \(number)", logger: logger) { try await client.customer(number: number) }
            if let current {
                result.missedByPaging += 1
                if try await observe(current, tenant: tenant, metadata: metadata) { result.changed += 1 }
            } else {
                let deletion = CustomerDeleted(customer: CustomerRef(system: .economic, id: id))
                if try await !handler.deleteCustomer(deletion, tenant: tenant, metadata: metadata).events.isEmpty { result.deleted += 1 }
            }
        }
        return result
    }

    /// Records one customer as e-conomic has it; true when that changed something.
    private func observe(_ customer: EconomicCustomer, tenant: TenantID, metadata: CommandMetadata) async throws -> Bool {
        guard let observed = customer.observation else { return false }
        return try await !handler.observeCustomer(observed, tenant: tenant, metadata: metadata).events.isEmpty
    }

    /// The e-conomic customers Accord holds as existing: those whose stream's last observation or deletion is an
    /// observation (``SyncDomain/CustomerDecider``'s rule), read from the log — not from the `customers` read
    /// model, which does not exist before a projection runner has run (`accord economic read` before the first
    /// `accord serve`) and may lag behind it.
    private func knownCustomers(of tenant: TenantID) async throws -> Set<String> {
        let prefix = StreamName.customer(CustomerRef(system: .economic, id: "")).rawValue
        let heads = try await store.latestTypes(
            inStreamsStartingWith: prefix, among: [CustomerObserved.typeName, CustomerDeleted.typeName], of: tenant)
        return Set(heads.compactMap { stream, type in type == CustomerObserved.typeName ? StreamName(rawValue: stream.rawValue).customer?.id : nil })
    }
}
