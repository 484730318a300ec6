import Foundation
public import SyncDomain

/// How an ``OutboundWorker`` runs.
///
/// | field | default | meaning |
/// |---|---|---|
/// | `workerID` | `<host>:<pid>` | names the worker's claims; give a restarted process the same id and it takes over what it held at once (with reconciliation) instead of waiting for its claims to lapse |
/// | `maxConcurrentRequests` | 8 | requests carried out at once by this worker, all tenants together |
/// | `maxInFlightPerTenant` | 4 | requests of one tenant in flight at once (claimed and not settled), across every worker and process: half the default slots, so a tenant with a backlog never holds them all |
/// | `economicRateLimit` | 1/s, burst 10 | per tenant, every call to e-conomic (lookups and reads too); slows down on 429s and recovers |
/// | `stripeRateLimit` | 20/s, burst 20 | per tenant, every call to its Stripe account; slows down on 429s and recovers |
/// | `retryPolicy` | ``SyncDomain/RetryPolicy/default`` | backoff with jitter and the attempt limit before a request is abandoned |
/// | `claimTTL` | 5 min | how long a claim lasts; renewed before each attempt; must cover one attempt's HTTP calls |
/// | `pollInterval` | 5 s | the longest sleep without a notification or a due attempt |
/// | `economicTimeout` | 30 s | per e-conomic call |
/// | `stripeTimeout` | 30 s | per Stripe call |
/// | `credentialCacheTTL` | 30 s | how long a tenant's loaded credentials are reused |
/// | `runsQueueProjector` | true | the worker brings `outbound_requests` up to date itself before each claim (safe next to a `ProjectionRunner`: one applies at a time) |
/// | `claimBatchSize` | 32 | the most requests claimed in one transaction |
public struct OutboundWorkerConfiguration: Sendable {
    /// Names the worker's claims.
    public var workerID: String
    /// Requests carried out at once.
    public var maxConcurrentRequests: Int
    /// Requests of one tenant in flight at once, whoever holds them.
    public var maxInFlightPerTenant: Int
    /// Per-tenant limit on calls to e-conomic.
    public var economicRateLimit: RateLimit
    /// Per-tenant limit on calls to the tenant's Stripe account.
    public var stripeRateLimit: RateLimit
    /// Backoff and attempt limit.
    public var retryPolicy: RetryPolicy
    /// How long a claim lasts unless renewed.
    public var claimTTL: Duration
    /// The longest sleep between looks at the queue.
    public var pollInterval: Duration
    /// The deadline of each e-conomic call.
    public var economicTimeout: Duration
    /// The deadline of each Stripe call.
    public var stripeTimeout: Duration
    /// How long loaded credentials are reused.
    public var credentialCacheTTL: Duration
    /// Whether the worker projects `outbound_requests` itself before claiming.
    public var runsQueueProjector: Bool
    /// The most requests claimed per transaction.
    public var claimBatchSize: Int

    /// The defaults in the table above, with any of them replaced.
    public init(
        workerID: String = OutboundWorkerConfiguration.defaultWorkerID,
        maxConcurrentRequests: Int = 8,
        maxInFlightPerTenant: Int = 4,
        economicRateLimit: RateLimit = .economicDefault,
        stripeRateLimit: RateLimit = .stripeDefault,
        retryPolicy: RetryPolicy = .default,
        claimTTL: Duration = .seconds(300),
        pollInterval: Duration = .seconds(5),
        economicTimeout: Duration = .seconds(30),
        stripeTimeout: Duration = .seconds(30),
        credentialCacheTTL: Duration = .seconds(30),
        runsQueueProjector: Bool = true,
        claimBatchSize: Int = 32
    ) {
        precondition(maxConcurrentRequests >= 1, "maxConcurrentRequests must be at least 1")
        precondition(maxInFlightPerTenant >= 1, "maxInFlightPerTenant must be at least 1")
        self.workerID = workerID
        self.maxConcurrentRequests = maxConcurrentRequests
        self.maxInFlightPerTenant = maxInFlightPerTenant
        self.economicRateLimit = economicRateLimit
        self.stripeRateLimit = stripeRateLimit
        self.retryPolicy = retryPolicy
        self.claimTTL = claimTTL
        self.pollInterval = pollInterval
        self.economicTimeout = economicTimeout
        self.stripeTimeout = stripeTimeout
        self.credentialCacheTTL = credentialCacheTTL
        self.runsQueueProjector = runsQueueProjector
        self.claimBatchSize = claimBatchSize
    }

    /// `<host name>:<process id>`.
    public static var defaultWorkerID: String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }
}
