public import AsyncHTTPClient
import Connectors
public import Credentials
public import EventStore
import Foundation
public import Logging
public import PGClient
import Projections
public import ServiceLifecycle
import SyncDomain
import Synchronization

/// Carries out outbound requests: e-conomic creates and updates, Stripe metadata and field updates.
///
/// One pass: bring `outbound_requests` up to date, claim due requests (``OutboundQueue``: a short transaction,
/// rows `FOR UPDATE SKIP LOCKED`, a claim row each, tenants taking turns, at most
/// ``OutboundWorkerConfiguration/maxInFlightPerTenant`` of one tenant in flight), and carry each out in its own task,
/// at most ``OutboundWorkerConfiguration/maxConcurrentRequests`` at a time. For each request the worker
///
/// 1. reads the request's stream (the truth; the queue row may lag) and skips it unless it is due;
/// 2. renews its claim (proving no one took it over) and waits for the tenant's rate limit toward the target (a 429
///    slows the tenant down and is recorded as a wait, never as a failed attempt);
/// 3. sends, outside any transaction, with the tenant's credentials — an e-conomic create is recorded as started
///    right before its `POST` (the first start with the customers that already matched it); one whose earlier send
///    may have taken effect unseen is looked up first (``EconomicReconciler``: a known number, then its match keys,
///    never a customer that existed before its first send): one match is recorded as the success, several or one
///    that cannot be told from a stranger abandon the request for a person, none lets the create go;
/// 4. records the outcome through ``SyncDomain/OutboundDecider`` with the stream's expected version (a conflict
///    re-reads and re-decides the record, never re-sends);
/// 5. releases its claim, remembering the last event it saw so the request is not claimed again before the
///    queue shows it.
///
/// If recording fails after a send, the claim is left to lapse: the next worker takes it over and reconciles.
/// Woken by `NOTIFY` (through a ``PGClient/PGListener``), by the next due attempt, and by polling.
public final class OutboundWorker: Service, Sendable {
    /// What the worker has done since it started (for metrics and tests).
    public struct Statistics: Sendable, Hashable {
        /// Requests claimed.
        public var claimed = 0
        /// Claims taken over from a worker whose claim lapsed in flight.
        public var takeovers = 0
        /// Claimed requests that turned out not to be due (already done, or not yet time).
        public var skipped = 0
        /// Writes sent: e-conomic POST or GET+PUT, Stripe POST.
        public var sent = 0
        /// Lookups of what already matches a create, before its first send.
        public var baselineLookups = 0
        /// Lookups before a create whose earlier send may have taken effect (reconciliations).
        public var reconciliations = 0
        /// Reconciliations that found the customer (recorded as the success without sending).
        public var reconciledExisting = 0
        /// Successes recorded.
        public var succeeded = 0
        /// Failures recorded with a next attempt.
        public var failed = 0
        /// Waits for a rate limit recorded (429s; not failures).
        public var rateLimited = 0
        /// Requests abandoned.
        public var abandoned = 0
        /// Records that met another writer's record first and were decided again.
        public var conflicts = 0
        /// Claims found taken over just before sending (nothing was sent).
        public var lostClaims = 0
        /// Claims released unsent because another write of the same link to the same side was in flight.
        public var waitedForLink = 0
        /// Requests put back because their tenant has no connection to the target yet.
        public var waitingForConnection = 0
        /// Older requests recorded superseded by the newer one being sent.
        public var superseded = 0
        /// Fields of updates left alone because the target had moved (someone else's edit, never overwritten).
        public var fieldsKept = 0
    }

    /// The configuration.
    public let configuration: OutboundWorkerConfiguration
    let store: EventStore
    let queue: OutboundQueue
    let stream: OutboundStream
    let credentials: CredentialStore
    let listener: PGListener?
    let httpClient: HTTPClient
    let logger: Logger
    /// Per tenant, toward e-conomic.
    let limiter: TenantRateLimiter
    /// Per tenant, toward its Stripe account.
    let stripeLimiter: TenantRateLimiter
    /// Rung by the listener, by each finished request (a slot is free) and by graceful shutdown.
    let doorbell = Doorbell()
    let running = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    let counters = Mutex(Statistics())
    let metrics: OutboundMetrics
    let connectionCache = Mutex<[TenantID: (connections: TenantConnections?, loaded: ContinuousClock.Instant)]>([:])

    /// Makes a worker.
    /// - Parameters:
    ///   - store: the event store.
    ///   - credentials: where the tenants' connections are.
    ///   - listener: a listener on ``EventStore/notificationChannel`` run by the caller (nil: poll only).
    ///   - configuration: limits, policy, timings.
    ///   - httpClient: the HTTP client for e-conomic and Stripe (its lifetime is the caller's).
    ///   - metrics: where results are counted (nowhere by default).
    ///   - logger: outcomes at debug level, abandonments and reconciliations at info and above; never a secret.
    public init(
        store: EventStore, credentials: CredentialStore, listener: PGListener?, configuration: OutboundWorkerConfiguration = .init(),
        httpClient: HTTPClient = .shared, metrics: OutboundMetrics = .none, logger: Logger
    ) {
        self.metrics = metrics
        self.store = store
        self.queue = OutboundQueue(store: store)
        self.stream = OutboundStream(store: store, metadata: EventMetadata(actor: "system:outbound-worker"))
        self.credentials = credentials
        self.listener = listener
        self.configuration = configuration
        self.httpClient = httpClient
        var logger = logger
        logger[metadataKey: "outbound.worker"] = "\(configuration.workerID)"
        self.logger = logger
        self.limiter = TenantRateLimiter(limit: configuration.economicRateLimit)
        self.stripeLimiter = TenantRateLimiter(limit: configuration.stripeRateLimit)
    }

    /// What the worker has done so far.
    public var statistics: Statistics { counters.withLock { $0 } }

    /// Runs until graceful shutdown (claims stop; requests in flight finish and are recorded) or cancellation.
    public func run() async throws {
        let doorbell = self.doorbell
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                await self.loop(&group)
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .releasing)
            doorbell.ring()
        }
    }

    // MARK: The loop

    /// Passes until graceful shutdown, each one a step of a ``EventStore/Follower``: a pass that claimed a full batch
    /// goes again at once; otherwise it waits for the doorbell, the next due attempt or rate-limit slot, or the poll
    /// interval, and for 5 seconds after a ring re-looks at short intervals (the events that rang may not be readable
    /// yet).
    private func loop(_ group: inout DiscardingTaskGroup) async {
        let projector = OutboundRequestsProjector()
        let registry = ProjectionRegistry(pool: store.pool)
        let follower = Follower(
            listener: listener, doorbell: doorbell, configuration: .init(pollInterval: configuration.pollInterval, rereadWindow: .seconds(5)),
            logger: logger, failureMessage: "outbound pass failed; retrying")
        var startedUp = false
        var cleanedUp = ContinuousClock.now - Self.cleanUpInterval
        await follower.run(while: { !stopping.load(ordering: .acquiring) }) {
            if !startedUp {
                let inFlight = max(configuration.economicTimeout, configuration.stripeTimeout)
                let lapsed = try await queue.expireClaims(of: configuration.workerID, after: inFlight)
                if lapsed > 0 {
                    logger.info(
                        "taking over the claims this worker held when it stopped, once what it sent can no longer arrive",
                        metadata: ["outbound.claims": "\(lapsed)", "outbound.after_seconds": "\(inFlight.components.seconds)"])
                }
                startedUp = true
            }
            let version = try await registry.activeVersion(of: projector)
            if configuration.runsQueueProjector { try await timed(.catchUp) { try await catchUp(projector, version: version) } }
            let free = configuration.maxConcurrentRequests - running.load(ordering: .acquiring)
            let limit = min(free, configuration.claimBatchSize)
            // Every slot is busy: a finishing request rings the doorbell.
            guard limit > 0 else { return .busy }
            let saturated = limiter.saturated(now: .now, horizon: .milliseconds(500))
            let saturatedStripe = stripeLimiter.saturated(now: .now, horizon: .milliseconds(500))
            let cleaningUp = ContinuousClock.now - cleanedUp >= Self.cleanUpInterval
            if cleaningUp { cleanedUp = .now }
            let claims = try await timed(.claim) {
                try await queue.claim(
                    worker: configuration.workerID, limit: limit, perTenantCap: configuration.maxInFlightPerTenant, ttl: configuration.claimTTL,
                    version: version, skipEconomicOf: saturated.tenants, skipStripeOf: saturatedStripe.tenants, cleaningUp: cleaningUp)
            }
            for claim in claims {
                running.add(1, ordering: .acquiringAndReleasing)
                group.addTask {
                    await self.process(claim)
                    self.running.subtract(1, ordering: .acquiringAndReleasing)
                    self.doorbell.ring()
                }
            }
            if claims.count == limit { return .worked }  // there may be more due right now
            let wakeUp = try await timed(.nextWakeUp) {
                try await queue.nextWakeUp(
                    version: version, perTenantCap: configuration.maxInFlightPerTenant, skipEconomicOf: saturated.tenants,
                    skipStripeOf: saturatedStripe.tenants)
            }
            let dueIn = wakeUp.date.map { Duration.milliseconds(Int64((max(0, $0.timeIntervalSinceNow) * 1000).rounded(.up)) + 1) }
            let freeIn = [saturated.freeIn, saturatedStripe.freeIn].compactMap { $0 }.min().map { max($0, .milliseconds(1)) }
            var nextDue = [dueIn, freeIn, wakeUp.lagging ? .milliseconds(100) : nil].compactMap { $0 }.min()
            // Something looked due but nothing could be claimed: never spin.
            if claims.isEmpty, let soon = nextDue { nextDue = max(soon, .milliseconds(5)) }
            return .idle(nextDue: nextDue)
        }
    }

    /// How often a claim also deletes the released claims of finished requests.
    static let cleanUpInterval = Duration.seconds(1)

    /// Applies outstanding outbound events to the queue (unless another process is doing it right now).
    private func catchUp(_ projector: OutboundRequestsProjector, version: Int) async throws {
        let step = ProjectionStep(projector: projector, store: store)
        let target = ProjectionTarget(projection: projector.name, version: version)
        while true {
            guard case .applied(let count, _) = try await step.run(target: target, batchSize: 1000), count == 1000 else { return }
        }
    }

    /// Runs one step of the loop or of a request, recording its time (``OutboundMetrics/Step``).
    func timed<Result, Failure: Error>(_ step: OutboundMetrics.Step, _ body: () async throws(Failure) -> Result) async throws(Failure) -> Result {
        let start = ContinuousClock.now
        defer { metrics.step(step, since: start) }
        return try await body()
    }

    func count(_ change: (inout Statistics) -> Void) {
        counters.withLock { change(&$0) }
    }
}
