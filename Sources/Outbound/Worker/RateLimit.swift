import EventStore
import Synchronization

/// A token-bucket rate: `requestsPerSecond` on average, with bursts of up to `burst` requests, slowed down when the
/// target answers 429 and recovering gradually (see ``Adaptation``).
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    /// How the rate reacts to 429s: multiplicative decrease, linear recovery.
    public struct Adaptation: Sendable, Hashable {
        /// The factor the rate is multiplied by on a 429 (0 < factor < 1).
        public var decrease: Double
        /// How long the rate takes to climb from nothing back to the configured one (half of it after one halving).
        public var recovery: Duration
        /// The lowest rate, as a share of the configured one.
        public var floor: Double
        /// 429s this soon after a decrease belong to the same overload (requests already on their way) and do not
        /// slow down again.
        public var sameOverload: Duration

        /// Makes an adaptation.
        public init(decrease: Double = 0.5, recovery: Duration = .seconds(60), floor: Double = 1.0 / 32, sameOverload: Duration = .seconds(1)) {
            precondition(decrease > 0 && decrease < 1 && recovery > .zero && floor > 0 && floor <= 1, "an adaptation needs 0 < decrease < 1")
            self.decrease = decrease
            self.recovery = recovery
            self.floor = floor
            self.sameOverload = sameOverload
        }

        /// Halve on a 429; back to full speed a minute after slowing to nothing (30 s after one halving); never
        /// below 1/32 of the configured rate.
        public static let `default` = Adaptation()
    }

    /// The sustained rate.
    public var requestsPerSecond: Double
    /// How many requests may go at once after a quiet period.
    public var burst: Int
    /// How the rate reacts to 429s.
    public var adaptation: Adaptation

    /// Makes a rate.
    public init(requestsPerSecond: Double, burst: Int, adaptation: Adaptation = .default) {
        precondition(requestsPerSecond > 0 && burst >= 1, "a rate limit needs a positive rate and a burst of at least 1")
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.adaptation = adaptation
    }

    /// The default toward e-conomic: 1 request/s sustained with bursts of 10. e-conomic's fair-use policy allows
    /// 50 000 calls per agreement per day (0.58/s on average) and its token-bucket numbers are not published,
    /// so the default stays near the fair-use average and lets a person's single action through at once.
    public static let economicDefault = RateLimit(requestsPerSecond: 1, burst: 10)

    /// The default toward a tenant's Stripe account: 20 writes/s with bursts of 20, under Stripe's 25 requests/s of
    /// test mode (100/s live), so that write-backs leave room for the tenant's own use of its account.
    public static let stripeDefault = RateLimit(requestsPerSecond: 20, burst: 20)

    /// `1.0/s, burst 10`.
    public var description: String { "\(requestsPerSecond)/s, burst \(burst)" }
}

/// One adaptive token bucket (``TokenBucket``) per tenant toward one system. ``acquire(_:cost:while:)`` reserves
/// tokens at once (going into debt if needed) and sleeps until the debt is paid, so callers are served in the order
/// they asked, at the tenant's current rate; ``rateLimited(_:retryAfter:)`` slows the tenant down after a 429.
final class TenantRateLimiter: Sendable {
    let limit: RateLimit
    private let buckets = Mutex<[TenantID: TokenBucket]>([:])

    init(limit: RateLimit) { self.limit = limit }

    /// Waits until `cost` requests toward this tenant's system may go. A 429 answered to another call meanwhile
    /// makes the wait last at least until its Retry-After has passed.
    /// - Parameter keepWaiting: asked at least every 250 ms while waiting; when it says no (the worker is shutting
    ///   down), the tokens are given back and ``RateLimitWaitAbandoned`` is thrown: nothing was sent.
    /// - Throws: ``RateLimitWaitAbandoned``, or `CancellationError` when the task is cancelled while waiting.
    func acquire(_ tenant: TenantID, cost: Int = 1, while keepWaiting: () -> Bool = { true }) async throws {
        var end = ContinuousClock.now.advanced(by: reserve(tenant, cost: Double(cost), now: .now))
        while true {
            let now = ContinuousClock.now
            end = max(end, pausedUntil(tenant) ?? end)
            guard now < end else { return }
            guard keepWaiting() else {
                refund(tenant, cost: Double(cost))
                throw RateLimitWaitAbandoned()
            }
            try await Task.sleep(for: min(end - now, .milliseconds(250)))
        }
    }

    /// The tenant's system answered 429: slow the tenant down and pause it for `retryAfter` (see ``TokenBucket``).
    func rateLimited(_ tenant: TenantID, retryAfter: Duration?, now: ContinuousClock.Instant = .now) {
        buckets.withLock { buckets in
            var bucket = buckets[tenant] ?? TokenBucket(limit: limit, now: now)
            bucket.rateLimited(at: now, retryAfter: retryAfter)
            buckets[tenant] = bucket
        }
    }

    /// The tenant's current rate (requests per second), for logs and tests.
    func rate(_ tenant: TenantID, now: ContinuousClock.Instant = .now) -> Double {
        buckets.withLock { $0[tenant]?.rate(at: now) ?? limit.requestsPerSecond }
    }

    /// Gives back tokens reserved for calls that were not made.
    private func refund(_ tenant: TenantID, cost: Double) {
        buckets.withLock { buckets in buckets[tenant]?.refund(cost) }
    }

    private func pausedUntil(_ tenant: TenantID) -> ContinuousClock.Instant? {
        buckets.withLock { $0[tenant]?.pausedUntil }
    }

    /// The tenants whose next call would wait longer than `horizon`, and how long until the first of them has a
    /// token again. The worker leaves their requests unclaimed meanwhile, so that one tenant's backlog never
    /// occupies every slot while other tenants wait.
    func saturated(now: ContinuousClock.Instant, horizon: Duration) -> (tenants: [TenantID], freeIn: Duration?) {
        buckets.withLock { buckets in
            var tenants: [TenantID] = []
            var freeIn: Duration?
            for (tenant, bucket) in buckets {
                let wait = bucket.waitForToken(at: now)
                guard wait > horizon else { continue }
                tenants.append(tenant)
                freeIn = freeIn.map { min($0, wait - horizon) } ?? (wait - horizon)
            }
            return (tenants.sorted(), freeIn)
        }
    }

    /// Takes `cost` tokens and returns how long the caller must wait for them.
    func reserve(_ tenant: TenantID, cost: Double, now: ContinuousClock.Instant) -> Duration {
        buckets.withLock { buckets in
            var bucket = buckets[tenant] ?? TokenBucket(limit: limit, now: now)
            let wait = bucket.reserve(cost, at: now)
            buckets[tenant] = bucket
            return wait
        }
    }
}

/// A wait for the rate limit given up because the worker is shutting down; the request was not sent.
struct RateLimitWaitAbandoned: Error {}
