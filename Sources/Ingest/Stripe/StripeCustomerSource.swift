public import AsyncHTTPClient
public import Connectors
public import EventStore
public import Logging
import Synchronization

/// Where the inbox processor re-fetches a Stripe customer named by a webhook event, so that an event's own
/// (possibly stale) copy of the customer is never trusted.
public protocol StripeCustomerSource: Sendable {
    /// The customer as Stripe has it now: ``Connectors/StripeCustomerLookup/customer(_:)``, or `deleted` /
    /// `notFound`.
    /// - Throws: when Stripe cannot be asked (the delivery is retried later), or when the tenant has no Stripe
    ///   connection.
    func customer(id: String, tenant: TenantID) async throws -> StripeCustomerLookup
}

/// Why a tenant's Stripe customers cannot be fetched.
public struct StripeConnectionMissing: Error, Sendable, CustomStringConvertible {
    /// The tenant.
    public var tenant: TenantID
    /// Says what to configure.
    public var description: String { "tenant \(tenant) has no Stripe API key configured" }
}

/// Fetches customers with ``Connectors/StripeClient``, configured per tenant (API base and secret key) by a
/// closure the caller supplies (e.g. reading the encrypted credential store). A tenant's configuration is read at
/// most once per ``rememberFor`` (a busy inbox re-fetches hundreds of customers a second, and each read is a query
/// and the secrets opened), so a changed key is used from at most that long after it was saved.
public struct StripeClientCustomerSource: StripeCustomerSource {
    private let configuration: @Sendable (TenantID) async throws -> StripeConfiguration?
    private let httpClient: HTTPClient
    private let logger: Logger
    private let rememberFor: Duration
    private let remembered = Remembered()

    private final class Remembered: Sendable {
        let configurations = Mutex<[TenantID: (read: ContinuousClock.Instant, configuration: StripeConfiguration?)]>([:])
    }

    /// Makes a source.
    /// - Parameters:
    ///   - httpClient: the HTTP client (its lifetime is the caller's).
    ///   - logger: for the client's debug logs.
    ///   - rememberFor: how long a tenant's configuration is used before it is read again.
    ///   - configuration: the tenant's Stripe configuration, nil when it has none.
    public init(
        httpClient: HTTPClient = .shared, logger: Logger = StripeClient.silentLogger, rememberFor: Duration = .seconds(1),
        configuration: @escaping @Sendable (TenantID) async throws -> StripeConfiguration?
    ) {
        self.rememberFor = rememberFor
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
    }

    /// Retrieves the customer (`GET /v1/customers/{id}`).
    public func customer(id: String, tenant: TenantID) async throws -> StripeCustomerLookup {
        guard let configuration = try await configuration(of: tenant) else { throw StripeConnectionMissing(tenant: tenant) }
        return try await StripeClient(configuration: configuration, httpClient: httpClient, logger: logger).customer(id: id)
    }

    private func configuration(of tenant: TenantID) async throws -> StripeConfiguration? {
        let now = ContinuousClock.now
        if let recent = remembered.configurations.withLock({ $0[tenant] }), now < recent.read.advanced(by: rememberFor) {
            return recent.configuration
        }
        let read = try await configuration(tenant)
        remembered.configurations.withLock { $0[tenant] = (now, read) }
        return read
    }
}
