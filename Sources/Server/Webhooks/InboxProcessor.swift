import Connectors
import EventStore
import Foundation
import Logging
public import PGClient
public import ServiceLifecycle
import SyncDomain
import SyncEngine

/// Works through the webhook inbox (a `Service`): claims due deliveries (`FOR UPDATE SKIP LOCKED`, in a short
/// transaction, leased), processes each and settles it. Several processors — in one process or many — never
/// take the same delivery at once.
///
/// For `customer.created`, `customer.updated` and `customer.deleted` it re-fetches the customer from Stripe (the
/// event's own copy may be stale, and deliveries come out of order) and records what Stripe has now:
/// a customer → `observeCustomer` with its source fields, the event id and the event's `created` time (so an
/// older event can never overwrite what a newer one recorded); a deleted stub or a 404 → `deleteCustomer`.
/// Other event types are acknowledged and marked `ignored`.
///
/// A failed attempt is recorded with its error and retried with exponential backoff and jitter; after
/// ``Configuration/maxAttempts`` (or at once for a refusal that cannot change, e.g. an unknown tenant) the
/// delivery is `failed`, visible in the tenant's inbox.
public struct InboxProcessor: Service {
    /// How the processor works.
    public struct Configuration: Sendable {
        /// Deliveries claimed per round trip.
        public var batchSize: Int
        /// How often to look for due deliveries when nothing rings the doorbell.
        public var pollInterval: Duration
        /// How long a claim lasts before another processor may take it over.
        public var lease: Duration
        /// Attempts before a delivery is `failed`.
        public var maxAttempts: Int
        /// The first retry's delay; doubled per attempt (with 50–100 % jitter) up to ``maxBackoff``.
        public var baseBackoff: Duration
        /// The longest delay between attempts.
        public var maxBackoff: Duration

        /// Makes a configuration.
        public init(
            batchSize: Int = 20, pollInterval: Duration = .seconds(1), lease: Duration = .seconds(120), maxAttempts: Int = 12,
            baseBackoff: Duration = .seconds(2), maxBackoff: Duration = .seconds(3600)
        ) {
            self.batchSize = batchSize
            self.pollInterval = pollInterval
            self.lease = lease
            self.maxAttempts = maxAttempts
            self.baseBackoff = baseBackoff
            self.maxBackoff = maxBackoff
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

    let dependencies: ServerDependencies
    let configuration: Configuration
    let metrics: ServerMetrics
    let doorbell: Doorbell
    var inbox: WebhookInbox { WebhookInbox(pool: dependencies.pool) }
    var logger: Logger { dependencies.logger }

    /// The event types processed.
    public static let customerEventTypes: Set<String> = ["customer.created", "customer.updated", "customer.deleted"]

    /// Makes a processor.
    /// - Parameter doorbell: rung by the webhook endpoint after each new delivery.
    public init(dependencies: ServerDependencies, configuration: Configuration = .init(), metrics: ServerMetrics, doorbell: Doorbell) {
        self.dependencies = dependencies
        self.configuration = configuration
        self.metrics = metrics
        self.doorbell = doorbell
    }

    /// Processes until graceful shutdown: whenever the doorbell rings, and every poll interval; a failed pass is
    /// tried again with backoff. The endpoint rings after the delivery is committed, and the inbox is a table read
    /// without a watermark, so a ring never needs re-reads.
    public func run() async throws {
        let follower = Follower(
            listener: nil, doorbell: doorbell,
            configuration: .init(pollInterval: configuration.pollInterval, rereadWindow: .zero, firstBackoff: configuration.pollInterval),
            logger: logger, failureMessage: "webhook inbox processing failed; trying again")
        await cancelWhenGracefulShutdown {
            await follower.run {
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
            let claims = try await inbox.claim(limit: configuration.batchSize, lease: configuration.lease)
            for claim in claims {
                let outcome = try await process(claim)
                metrics.inboxProcessed(outcome.rawValue)
                outcomes.append(outcome)
            }
            // A short batch means nothing more was due (a delivery retried in this pass waits for the next one).
            if claims.count < configuration.batchSize { break }
        }
        metrics.inboxBacklog(try await inbox.backlog())
        return outcomes
    }

    func process(_ claim: WebhookInbox.Claim) async throws -> Outcome {
        guard Self.customerEventTypes.contains(claim.eventType) else {
            try await inbox.settle(claim, status: Outcome.ignored.rawValue)
            return .ignored
        }
        guard let customerID = claim.objectID, !customerID.isEmpty else {
            try await inbox.fail(claim, error: "the \(claim.eventType) event carries no customer", retryAt: nil)
            return .failed
        }
        let metadata = CommandMetadata(actor: "stripe:webhook", sourceEventID: claim.eventID)
        let ref = CustomerRef.stripe(customerID)
        do {
            switch try await dependencies.stripeCustomers.customer(id: customerID, tenant: claim.tenant) {
            case .customer(let customer):
                try await dependencies.commands.observeCustomer(
                    CustomerObserved(customer: ref, fields: customer.sourceFields, sourceEventId: claim.eventID, sourceUpdatedAt: claim.eventCreated),
                    tenant: claim.tenant, metadata: metadata)
            case .deleted, .notFound:
                try await dependencies.commands.deleteCustomer(
                    CustomerDeleted(customer: ref, sourceEventId: claim.eventID, sourceUpdatedAt: claim.eventCreated), tenant: claim.tenant,
                    metadata: metadata)
            }
            try await inbox.settle(claim, status: Outcome.processed.rawValue)
            return .processed
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let permanent = (error as? CommandError).map { $0.code != .contention } ?? false
            let retryAt = permanent || claim.attempts >= configuration.maxAttempts ? nil : Date().addingTimeInterval(backoff(attempt: claim.attempts))
            logger.warning(
                "webhook delivery failed",
                metadata: [
                    "accord.tenant": "\(claim.tenant)", "stripe.event": "\(claim.eventID)", "error": "\(error)",
                    "retry_at": "\(retryAt.map { "\($0)" } ?? "never")",
                ])
            try await inbox.fail(claim, error: "\(error)", retryAt: retryAt)
            return retryAt == nil ? .failed : .retry
        }
    }

    /// Seconds before the next attempt: base · 2^(attempt − 1), capped, times a jitter of 50–100 %.
    func backoff(attempt: Int) -> TimeInterval {
        let base = Double(configuration.baseBackoff.components.seconds) + Double(configuration.baseBackoff.components.attoseconds) / 1e18
        let cap = Double(configuration.maxBackoff.components.seconds)
        let delay = min(cap, base * pow(2, Double(max(0, attempt - 1))))
        return delay * Double.random(in: 0.5...1.0)
    }
}
