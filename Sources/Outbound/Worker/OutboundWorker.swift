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
/// rows `FOR UPDATE SKIP LOCKED`, a claim row each), and carry each out in its own task, at most
/// ``OutboundWorkerConfiguration/maxConcurrentRequests`` at a time. For each request the worker
///
/// 1. reads the request's stream (the truth; the queue row may lag) and skips it unless it is due;
/// 2. renews its claim (proving no one took it over) and waits for the tenant's e-conomic rate limit;
/// 3. sends, outside any transaction, with the tenant's credentials — for an e-conomic create that may already
///    exist (an earlier attempt failed without a definite answer, or the claim was taken over from a worker that
///    died), it first looks the customer up by the request's match keys (``EconomicReconciler``): one match is
///    recorded as the success, several abandon the request for a person, none lets the create go;
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
        /// Lookups before a create (reconciliations).
        public var reconciliations = 0
        /// Reconciliations that found the customer (recorded as the success without sending).
        public var reconciledExisting = 0
        /// Successes recorded.
        public var succeeded = 0
        /// Failures recorded with a next attempt.
        public var failed = 0
        /// Requests abandoned.
        public var abandoned = 0
        /// Records that met another writer's record first and were decided again.
        public var conflicts = 0
        /// Claims found taken over just before sending (nothing was sent).
        public var lostClaims = 0
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
    private let limiter: TenantRateLimiter
    private let doorbell = Doorbell()
    private let running = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let counters = Mutex(Statistics())
    private let connectionCache = Mutex<[TenantID: (connections: TenantConnections?, loaded: ContinuousClock.Instant)]>([:])

    /// Makes a worker.
    /// - Parameters:
    ///   - store: the event store.
    ///   - credentials: where the tenants' connections are.
    ///   - listener: a listener on ``EventStore/notificationChannel`` run by the caller (nil: poll only).
    ///   - configuration: limits, policy, timings.
    ///   - httpClient: the HTTP client for e-conomic and Stripe (its lifetime is the caller's).
    ///   - logger: outcomes at debug level, abandonments and reconciliations at info and above; never a secret.
    public init(
        store: EventStore, credentials: CredentialStore, listener: PGListener?, configuration: OutboundWorkerConfiguration = .init(),
        httpClient: HTTPClient = .shared, logger: Logger
    ) {
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
    }

    /// What the worker has done so far.
    public var statistics: Statistics { counters.withLock { $0 } }

    /// Runs until graceful shutdown (claims stop; requests in flight finish and are recorded) or cancellation.
    public func run() async throws {
        let doorbell = self.doorbell
        let observer = listener?.addObserver { _ in doorbell.ring() }
        defer { observer.map { listener?.removeObserver($0) } }
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

    private func loop(_ group: inout DiscardingTaskGroup) async {
        let projector = OutboundRequestsProjector()
        let registry = ProjectionRegistry(pool: store.pool)
        var startedUp = false
        var backoff: Duration = .milliseconds(200)
        var quickUntil: ContinuousClock.Instant?
        var quickRetry: Duration = .milliseconds(10)
        while !stopping.load(ordering: .acquiring), !Task.isCancelled {
            do {
                if !startedUp {
                    let lapsed = try await queue.expireClaims(of: configuration.workerID)
                    if lapsed > 0 {
                        logger.info("taking over the claims this worker held when it stopped", metadata: ["outbound.claims": "\(lapsed)"])
                    }
                    startedUp = true
                }
                let version = try await registry.activeVersion(of: projector)
                if configuration.runsQueueProjector { try await catchUp(projector, version: version) }
                let free = configuration.maxConcurrentRequests - running.load(ordering: .acquiring)
                let limit = min(free, configuration.claimBatchSize)
                var claimed = 0
                let saturated = limiter.saturated(now: .now, horizon: .milliseconds(500))
                if limit > 0 {
                    let claims = try await queue.claim(
                        worker: configuration.workerID, limit: limit, ttl: configuration.claimTTL, version: version, skipEconomicOf: saturated.tenants
                    )
                    claimed = claims.count
                    for claim in claims {
                        running.add(1, ordering: .acquiringAndReleasing)
                        group.addTask {
                            await self.process(claim)
                            self.running.subtract(1, ordering: .acquiringAndReleasing)
                            self.doorbell.ring()
                        }
                    }
                }
                backoff = .milliseconds(200)
                if limit == 0 {
                    // Every slot is busy: a finishing request rings the doorbell.
                    await doorbell.wait(timeout: configuration.pollInterval)
                    continue
                }
                if claimed == limit { continue }  // there may be more due right now
                var timeout = configuration.pollInterval
                let wakeUp = try await queue.nextWakeUp(version: version, skipEconomicOf: saturated.tenants)
                if let freeIn = saturated.freeIn { timeout = min(timeout, max(freeIn, .milliseconds(1))) }
                if let due = wakeUp.date {
                    let seconds = max(0, due.timeIntervalSinceNow)
                    timeout = min(timeout, .milliseconds(Int64((seconds * 1000).rounded(.up)) + 1))
                }
                if wakeUp.lagging { timeout = min(timeout, .milliseconds(100)) }
                // After a wake-up, events may not be readable yet (an older transaction holds the watermark back):
                // look again at short intervals for a while instead of waiting a whole poll interval.
                if let until = quickUntil, ContinuousClock.now < until {
                    timeout = min(timeout, quickRetry)
                    quickRetry = min(quickRetry * 2, .milliseconds(500))
                } else {
                    quickUntil = nil
                }
                if claimed == 0 { timeout = max(timeout, .milliseconds(5)) }
                if await doorbell.wait(timeout: timeout) {
                    quickUntil = ContinuousClock.now.advanced(by: .seconds(5))
                    quickRetry = .milliseconds(10)
                }
            } catch {
                if stopping.load(ordering: .acquiring) || Task.isCancelled { break }
                logger.error("outbound pass failed; retrying", metadata: ["error": "\(error)", "retry.in": "\(backoff)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }

    /// Applies outstanding outbound events to the queue (unless another process is doing it right now).
    private func catchUp(_ projector: OutboundRequestsProjector, version: Int) async throws {
        let step = ProjectionStep(projector: projector, store: store)
        let target = ProjectionTarget(projection: projector.name, version: version)
        while true {
            guard case .applied(let count, _) = try await step.run(target: target, batchSize: 1000), count == 1000 else { return }
        }
    }

    // MARK: One request

    private func process(_ claim: OutboundQueue.Claim) async {
        var logger = self.logger
        logger[metadataKey: "tenant"] = "\(claim.tenant)"
        logger[metadataKey: "outbound.request_id"] = "\(claim.requestID)"
        count {
            $0.claimed += 1
            if claim.isTakeover { $0.takeovers += 1 }
        }
        let snapshot: OutboundStream.Snapshot
        do {
            snapshot = try await stream.load(claim.requestID, of: claim.tenant)
        } catch {
            logger.error("could not read the request's stream", metadata: ["error": "\(error)"])
            await postpone(claim, logger: logger)
            return
        }
        guard let request = snapshot.state.request, isDue(snapshot.state.status) else {
            count { $0.skipped += 1 }
            var notBefore: Date?
            if case .retrying(let retryAt) = snapshot.state.status { notBefore = retryAt }
            await release(claim, position: snapshot.lastPosition, notBefore: notBefore, logger: logger)
            return
        }

        let attempt: OutboundAttempt
        do {
            guard try await queue.renew(claim, ttl: configuration.claimTTL) else {
                count { $0.lostClaims += 1 }
                logger.notice("the claim was taken over before sending; leaving the request to its new worker")
                return
            }
            switch request {
            case .economic(let write):
                attempt = await attemptEconomic(write, tenant: claim.tenant, reconcile: snapshot.hasFailedBefore || claim.isTakeover, logger: logger)
            case .stripe(let write):
                attempt = await attemptStripe(write, tenant: claim.tenant)
            }
        } catch {
            logger.error("could not prepare the attempt", metadata: ["error": "\(error)"])
            await postpone(claim, logger: logger)
            return
        }

        if attempt == .notSent {
            logger.info("shutting down: the request waited for the tenant's rate limit and was not sent")
            await release(claim, position: snapshot.lastPosition, notBefore: nil, logger: logger)
            return
        }
        do {
            let recorded = try await record(attempt, for: claim, logger: logger)
            var notBefore: Date?
            if case .retrying(let retryAt) = recorded.snapshot.state.status { notBefore = retryAt }
            await release(claim, position: recorded.snapshot.lastPosition, notBefore: notBefore, logger: logger)
        } catch let error as OutboundDecider.Error {
            // Another writer settled the request meanwhile (e.g. recorded its success): ours is moot.
            logger.info("the outcome was not recorded: \(error)")
            let position = (try? await stream.load(claim.requestID, of: claim.tenant).lastPosition) ?? snapshot.lastPosition
            await release(claim, position: position, notBefore: nil, logger: logger)
        } catch {
            // The attempt happened but is not recorded: keep the claim so that it lapses and the next worker
            // reconciles before sending again.
            logger.error("could not record the outcome; the claim will lapse and the request be reconciled", metadata: ["error": "\(error)"])
        }
    }

    /// Due when pending, or retrying and its time has come (a quarter second early is fine: clocks differ).
    private func isDue(_ status: OutboundStatus) -> Bool {
        switch status {
        case .pending: return true
        case .retrying(let retryAt): return retryAt.timeIntervalSinceNow <= 0.25
        case .none, .succeeded, .abandoned: return false
        }
    }

    private func record(_ attempt: OutboundAttempt, for claim: OutboundQueue.Claim, logger: Logger) async throws -> OutboundStream.Recorded {
        let id = claim.requestID
        let recorded: OutboundStream.Recorded
        switch attempt {
        case .succeeded(let number, let written):
            recorded = try await stream.record(.recordSuccess(id, customerNumber: number, written: written), for: id, of: claim.tenant)
        case .failed(let error, let retryAfter):
            recorded = try await stream.record(
                .recordFailure(id, error: error, retryAfter: retryAfter, now: Date(), jitter: Double.random(in: 0..<1)), for: id, of: claim.tenant,
                policy: configuration.retryPolicy)
        case .needsPerson(let error):
            var policy = configuration.retryPolicy
            policy.maxAttempts = 0  // abandoned at this attempt
            recorded = try await stream.record(
                .recordFailure(id, error: error, retryAfter: nil, now: Date(), jitter: 0), for: id, of: claim.tenant, policy: policy)
        case .notSent:
            throw RateLimitWaitAbandoned()  // nothing happened, so nothing to record (process() releases the claim instead)
        }
        count { $0.conflicts += recorded.conflicts }
        for event in recorded.events {
            switch event {
            case .outboundSucceeded(let e):
                count { $0.succeeded += 1 }
                logger.debug("succeeded", metadata: ["economic.customer_number": "\(e.customerNumber.map(String.init) ?? "-")"])
            case .outboundFailed(let e):
                count { $0.failed += 1 }
                logger.debug(
                    "failed; will retry", metadata: ["outbound.attempt": "\(e.attempt)", "outbound.retry_at": "\(e.retryAt)", "error": "\(e.error)"])
            case .outboundAbandoned(let e):
                count { $0.abandoned += 1 }
                logger.warning("abandoned; a person must look at it", metadata: ["outbound.attempts": "\(e.attempts)", "error": "\(e.error)"])
            default:
                break
            }
        }
        return recorded
    }

    /// Nothing was attempted, but the claim may have been taken over from a worker that died mid-attempt: keep it
    /// in flight (lapsing in 5 s) rather than release it, so whoever takes it next still reconciles first.
    private func postpone(_ claim: OutboundQueue.Claim, logger: Logger) async {
        do {
            try await queue.postpone(claim, by: .seconds(5))
        } catch {
            logger.warning("could not postpone a claim; it will lapse", metadata: ["error": "\(error)"])
        }
    }

    private func release(_ claim: OutboundQueue.Claim, position: Int64, notBefore: Date?, logger: Logger) async {
        do {
            try await queue.release(claim, position: position, notBefore: notBefore)
        } catch {
            logger.warning("could not release a claim; it will lapse", metadata: ["error": "\(error)"])
        }
    }

    // MARK: e-conomic

    private func attemptEconomic(_ write: EconomicWriteRequested, tenant: TenantID, reconcile: Bool, logger: Logger) async -> OutboundAttempt {
        let connections: TenantConnections
        switch await self.connections(for: tenant) {
        case .failure(let failure): return failure.attempt
        case .success(let loaded): connections = loaded
        }
        guard let economic = connections.economic else {
            return .needsPerson(
                OutboundError(
                    code: "NO_CONNECTION", message: "tenant \(tenant) has no e-conomic connection: add its tokens, then retry the request"))
        }
        let client = EconomicClient(
            configuration: .init(
                baseURL: economic.baseURL, appSecretToken: economic.appSecretToken.revealed,
                agreementGrantToken: economic.agreementGrantToken.revealed, timeout: configuration.economicTimeout),
            httpClient: httpClient, logger: logger)
        do {
            switch write.kind {
            case .create:
                if reconcile {
                    try await limiter.acquire(tenant, while: { !self.stopping.load(ordering: .acquiring) })
                    count { $0.reconciliations += 1 }
                    switch try await EconomicReconciler.find(write, using: client) {
                    case .one(let existing):
                        count { $0.reconciledExisting += 1 }
                        logger.info(
                            "found the customer an earlier attempt created", metadata: ["economic.customer_number": "\(existing.customerNumber ?? 0)"]
                        )
                        return .succeeded(customerNumber: existing.customerNumber, written: Self.written(existing, write.payload))
                    case .several(let numbers):
                        return .needsPerson(
                            OutboundError(
                                code: "AMBIGUOUS_MATCH",
                                message: "e-conomic has \(numbers.count) customers that match what this request sent "
                                    + "(numbers \(numbers.map(String.init).joined(separator: ", "))); an earlier attempt may have created one of them. "
                                    + "Link the right one or remove the duplicates, then retry the request"))
                    case .none:
                        break
                    }
                }
                let customer: EconomicCustomer
                do {
                    customer = try EconomicCustomer(fieldMap: write.payload)
                } catch {
                    return .needsPerson(OutboundError(code: "INVALID_PAYLOAD", message: "the request's payload is not a valid customer: \(error)"))
                }
                try await limiter.acquire(tenant, while: { !self.stopping.load(ordering: .acquiring) })
                count { $0.sent += 1 }
                let created = try await client.createCustomer(customer)
                return .succeeded(customerNumber: created.customerNumber, written: Self.written(created, write.payload))
            case .update(let number):
                try await limiter.acquire(tenant, cost: 2, while: { !self.stopping.load(ordering: .acquiring) })  // GET, then PUT
                count { $0.sent += 1 }
                let payload = write.payload
                let updated = try await client.updateCustomer(number: number) { customer in try customer.apply(fieldMap: payload) }
                return .succeeded(customerNumber: number, written: Self.written(updated, write.payload))
            }
        } catch let error as EconomicAPIError {
            return OutboundAttempt.from(error)
        } catch is RateLimitWaitAbandoned {
            return .notSent
        } catch {
            return .failed(OutboundError(code: "cancelled", message: "the attempt was interrupted: \(error)"), retryAfter: nil)
        }
    }

    /// The customer's values for the fields the request wrote, plus its number.
    static func written(_ customer: EconomicCustomer, _ payload: [String: String]) -> [String: String] {
        var written = customer.fieldMap.filter { payload[$0.key] != nil }
        if let number = customer.customerNumber { written["customerNumber"] = String(number) }
        return written
    }

    // MARK: Stripe

    private func attemptStripe(_ write: StripeWriteRequested, tenant: TenantID) async -> OutboundAttempt {
        let connections: TenantConnections
        switch await self.connections(for: tenant) {
        case .failure(let failure): return failure.attempt
        case .success(let loaded): connections = loaded
        }
        guard let stripe = connections.stripe else {
            return .needsPerson(
                OutboundError(code: "NO_CONNECTION", message: "tenant \(tenant) has no Stripe connection: add its secret key, then retry the request")
            )
        }
        let client = StripeClient(
            configuration: StripeConfiguration(apiBase: stripe.apiBase, secretKey: stripe.secretKey.revealed, timeout: configuration.stripeTimeout),
            httpClient: httpClient, logger: logger)
        // The request id is the Idempotency-Key: a retry after a lost answer gets Stripe's first answer back.
        let key = write.requestId.description
        do {
            switch write.kind {
            case .metadata(let values):
                count { $0.sent += 1 }
                let customer = try await client.updateMetadata(customerID: write.customerId, values.mapValues { Optional($0) }, idempotencyKey: key)
                return .succeeded(customerNumber: nil, written: values.keys.reduce(into: [:]) { $0[$1] = customer.metadata[$1] ?? "" })
            case .fields(let values):
                var fields: [StripeCustomerField: String?] = [:]
                var metadata: [String: String?] = [:]
                for (name, value) in values {
                    if name.hasPrefix("metadata.") {
                        metadata[String(name.dropFirst("metadata.".count))] = value
                    } else if let field = StripeCustomerField(rawValue: name) {
                        fields[field] = value
                    } else {
                        return .needsPerson(OutboundError(code: "UNSUPPORTED_FIELD", message: "Accord cannot write the Stripe field '\(name)'"))
                    }
                }
                count { $0.sent += 1 }
                var customer: StripeCustomer?
                if !fields.isEmpty {
                    customer = try await client.updateCustomer(customerID: write.customerId, fields: fields, idempotencyKey: key)
                }
                if !metadata.isEmpty {
                    customer = try await client.updateMetadata(
                        customerID: write.customerId, metadata, idempotencyKey: fields.isEmpty ? key : key + "/metadata")
                }
                let source = customer?.sourceFields ?? [:]
                return .succeeded(customerNumber: nil, written: values.keys.reduce(into: [:]) { $0[$1] = source[$1] ?? "" })
            }
        } catch {
            return OutboundAttempt.from(error)
        }
    }

    // MARK: Credentials

    /// The tenant's connections (cached for ``OutboundWorkerConfiguration/credentialCacheTTL``), or the attempt to
    /// record when they cannot be used.
    private func connections(for tenant: TenantID) async -> Result<TenantConnections, OutboundAttemptFailure> {
        let now = ContinuousClock.now
        if let cached = connectionCache.withLock({ $0[tenant] }), now - cached.loaded < configuration.credentialCacheTTL {
            return cached.connections.map { .success($0) } ?? .failure(Self.noConnections(tenant))
        }
        do {
            let loaded = try await credentials.load(tenant)
            connectionCache.withLock { $0[tenant] = (loaded, now) }
            return loaded.map { .success($0) } ?? .failure(Self.noConnections(tenant))
        } catch let error as CredentialError where error.code != .database {
            return .failure(OutboundAttemptFailure(.needsPerson(OutboundError(code: "CREDENTIALS", message: error.description))))
        } catch {
            return .failure(
                OutboundAttemptFailure(
                    .failed(OutboundError(code: "CREDENTIALS", message: "the tenant's credentials could not be read: \(error)"), retryAfter: nil)))
        }
    }

    private static func noConnections(_ tenant: TenantID) -> OutboundAttemptFailure {
        OutboundAttemptFailure(
            .needsPerson(
                OutboundError(code: "NO_CONNECTION", message: "tenant \(tenant) has no connections configured: add them, then retry the request")))
    }

    private func count(_ change: (inout Statistics) -> Void) {
        counters.withLock { change(&$0) }
    }
}

/// An attempt that ends before anything is sent (wrapped so it can travel as a `Result` failure).
struct OutboundAttemptFailure: Error {
    let attempt: OutboundAttempt
    init(_ attempt: OutboundAttempt) { self.attempt = attempt }
}
