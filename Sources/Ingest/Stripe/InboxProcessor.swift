import Connectors
import EventStore
import Foundation
public import Logging
public import PGClient
public import ServiceLifecycle
public import SyncDomain
public import SyncEngine

/// Works through the webhook inbox (a `Service`): claims due deliveries (`FOR UPDATE SKIP LOCKED`, in a short
/// transaction, leased), processes them — several customers at once, each customer's deliveries one after the other
/// in event order — and settles the claim's deliveries together. Several processors — in one process or many — never
/// take the same delivery at once. Tenants take turns in every claim (``WebhookInbox``), so one tenant's burst
/// never holds another tenant's deliveries behind it.
///
/// For `customer.created`, `customer.updated` and `customer.deleted` it re-fetches the customer from Stripe (the
/// event's own copy may be stale, and deliveries come out of order) and records what Stripe has now:
/// a customer → `observeCustomer` with its source fields, the event id and the event's `created` time (so an
/// older event can never overwrite what a newer one recorded); a deleted stub or a 404 → `deleteCustomer`. The
/// one exception to "never trust the event's copy": for a customer never observed, the copy in its `customer.created`
/// delivery (this one, or the creation's delivery still in the inbox when another event of the customer comes first)
/// is recorded first, then the customer as it is now, so a customer created matching an e-conomic customer and
/// edited before its creation was processed is matched as it was created, and the edit follows as a change.
/// Other event types are acknowledged and marked `ignored`.
///
/// A failed attempt is recorded with its error and retried after the ``Configuration/retryPolicy``'s backoff (the
/// same ``SyncDomain/RetryPolicy`` the outbound worker uses; a Retry-After from Stripe is a lower bound); after
/// its `maxAttempts` (or at once for a refusal that cannot change, e.g. an unknown tenant) the delivery is
/// `failed`, visible in the tenant's inbox.
public struct InboxProcessor: Service {
    /// How the processor works.
    public struct Configuration: Sendable {
        /// Deliveries claimed per round trip.
        public var batchSize: Int
        /// The most deliveries of one tenant in one claim: tenants take turns (each tenant's first delivery, then
        /// each one's second, …), and a tenant with a backlog never fills a batch that others wait behind.
        public var perTenant: Int
        /// How often to look for due deliveries when nothing rings the doorbell.
        public var pollInterval: Duration
        /// The least time between the end of a pass and the next one a new delivery starts: under a steady stream of
        /// deliveries a claim takes what arrived meanwhile instead of one claim per delivery.
        public var gather: Duration
        /// How long a claim lasts before another processor may take it over.
        public var lease: Duration
        /// Customers whose deliveries are processed at the same time (each customer's own deliveries stay in event
        /// order, one after the other): the re-fetches from Stripe overlap instead of queueing behind each other.
        public var concurrentCustomers: Int
        /// Names this processor's claims; a processor started again under the same id takes back at once what a
        /// killed one held (nil: its claims lapse after ``lease``).
        public var holder: String?
        /// When a failed delivery is tried again, and after how many attempts it is `failed`.
        public var retryPolicy: RetryPolicy

        /// The default retries: 2 s doubled per attempt (with jitter) up to an hour, 12 attempts (about 3 hours).
        public static let defaultRetryPolicy = RetryPolicy.exponentialJitter(base: 2, multiplier: 2, maxDelay: 3600, maxAttempts: 12)

        /// Makes a configuration.
        public init(
            batchSize: Int = 32, perTenant: Int = 16, pollInterval: Duration = .seconds(1), gather: Duration = .milliseconds(20),
            lease: Duration = .seconds(120), concurrentCustomers: Int = 8, holder: String? = nil,
            retryPolicy: RetryPolicy = Configuration.defaultRetryPolicy
        ) {
            self.gather = gather
            precondition(batchSize >= 1 && perTenant >= 1 && concurrentCustomers >= 1, "batchSize, perTenant and concurrentCustomers must be at least 1")
            self.concurrentCustomers = concurrentCustomers
            self.holder = holder
            self.batchSize = batchSize
            self.perTenant = perTenant
            self.pollInterval = pollInterval
            self.lease = lease
            self.retryPolicy = retryPolicy
        }
    }

    /// What happened to one delivery.
    public enum Outcome: String, Sendable, Hashable {
        /// Recorded (an observation or a deletion, possibly one that changed nothing).
        case processed
        /// Not an event Accord handles.
        case ignored
        /// Failed; will be tried again.
        case retry
        /// Failed for good.
        case failed
    }

    let commands: CommandHandler
    let stripeCustomers: any StripeCustomerSource
    let configuration: Configuration
    let metrics: InboxMetrics
    let doorbell: Doorbell
    let inbox: WebhookInbox
    let logger: Logger

    /// The event types processed.
    public static let customerEventTypes: Set<String> = ["customer.created", "customer.updated", "customer.deleted"]

    /// Makes a processor.
    /// - Parameters:
    ///   - pool: the database the inbox lives in.
    ///   - commands: records what Stripe has (observations and deletions).
    ///   - stripeCustomers: where each event's customer is re-fetched.
    ///   - metrics: counts outcomes and the backlog.
    ///   - doorbell: rung by whoever records a new delivery (the webhook endpoint, the catch-up from Stripe).
    ///   - logger: failed attempts at warning level.
    public init(
        pool: PGConnectionPool, commands: CommandHandler, stripeCustomers: any StripeCustomerSource, configuration: Configuration = .init(),
        metrics: InboxMetrics = .none, doorbell: Doorbell, logger: Logger
    ) {
        self.commands = commands
        self.stripeCustomers = stripeCustomers
        self.configuration = configuration
        self.metrics = metrics
        self.doorbell = doorbell
        self.inbox = WebhookInbox(pool: pool)
        self.logger = logger
    }

    /// Processes until graceful shutdown: whenever the doorbell rings, and every poll interval; a failed pass is
    /// tried again with backoff. The endpoint rings after the delivery is committed, and the inbox is a table read
    /// without a watermark, so a ring never needs re-reads.
    public func run() async throws {
        let follower = Follower(
            listener: nil, doorbell: doorbell,
            configuration: .init(
                pollInterval: configuration.pollInterval, rereadWindow: .zero, firstBackoff: configuration.pollInterval, gather: configuration.gather),
            logger: logger, failureMessage: "webhook inbox processing failed; trying again")
        await cancelWhenGracefulShutdown {
            var tookBack = configuration.holder == nil
            await follower.run {
                if !tookBack, let holder = configuration.holder {
                    let count = try await inbox.takeBackClaims(of: holder)
                    if count > 0 {
                        logger.notice("took back the webhook deliveries this processor's id held before a restart", metadata: ["count": "\(count)"])
                    }
                    tookBack = true
                }
                try await processPending()
                return .idle()
            }
        }
    }

    /// Claims and processes due deliveries until none is due.
    /// - Returns: what happened to each, in order.
    /// - Throws: database errors while claiming or settling.
    @discardableResult
    public func processPending() async throws -> [Outcome] {
        var outcomes: [Outcome] = []
        while !Task.isCancelled {
            let claims = try await inbox.claim(
                limit: configuration.batchSize, perTenant: configuration.perTenant, lease: configuration.lease, by: configuration.holder)
            outcomes += try await process(claims)
            // A short batch in which no tenant gave all it may means nothing more was due (a delivery retried in this
            // pass waits for the next one).
            let tenantAtItsShare = claims.contains { $0.turn >= configuration.perTenant }
            if claims.count < configuration.batchSize && !tenantAtItsShare { break }
        }
        metrics.backlog(try await inbox.backlog())
        return outcomes
    }
}
