import EventStore
import Synchronization

/// A token-bucket rate: `requestsPerSecond` on average, with bursts of up to `burst` requests.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    /// The sustained rate.
    public var requestsPerSecond: Double
    /// How many requests may go at once after a quiet period.
    public var burst: Int

    /// Makes a rate.
    public init(requestsPerSecond: Double, burst: Int) {
        precondition(requestsPerSecond > 0 && burst >= 1, "a rate limit needs a positive rate and a burst of at least 1")
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
    }

    /// The default toward e-conomic: 1 request/s sustained with bursts of 10. e-conomic's fair-use policy allows
    /// 50 000 calls per agreement per day (0.58/s on average) and its token-bucket numbers are not published,
    /// so the default stays near the fair-use average and lets a person's single action through at once.
    public static let economicDefault = RateLimit(requestsPerSecond: 1, burst: 10)

    /// `1.0/s, burst 10`.
    public var description: String { "\(requestsPerSecond)/s, burst \(burst)" }
}

/// One token bucket per tenant. ``acquire(_:cost:)`` reserves tokens at once (going into debt if needed) and
/// sleeps until the debt is paid, so callers are served in the order they asked, at the configured rate.
final class TenantRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let limit: RateLimit
    private let buckets = Mutex<[TenantID: Bucket]>([:])

    init(limit: RateLimit) { self.limit = limit }

    /// Waits until `cost` requests toward this tenant's system may go.
    /// - Parameter keepWaiting: asked at least every 250 ms while waiting; when it says no (the worker is shutting
    ///   down), the tokens are given back and ``RateLimitWaitAbandoned`` is thrown: nothing was sent.
    /// - Throws: ``RateLimitWaitAbandoned``, or `CancellationError` when the task is cancelled while waiting.
    func acquire(_ tenant: TenantID, cost: Int = 1, while keepWaiting: () -> Bool = { true }) async throws {
        let wait = reserve(tenant, cost: Double(cost), now: .now)
        guard wait > .zero else { return }
        let end = ContinuousClock.now.advanced(by: wait)
        while ContinuousClock.now < end {
            guard keepWaiting() else {
                refund(tenant, cost: Double(cost))
                throw RateLimitWaitAbandoned()
            }
            try await Task.sleep(for: min(end - ContinuousClock.now, .milliseconds(250)))
        }
    }

    /// Gives back tokens reserved for calls that were not made.
    private func refund(_ tenant: TenantID, cost: Double) {
        buckets.withLock { buckets in buckets[tenant]?.tokens += cost }
    }

    /// The tenants whose next call would wait longer than `horizon`, and how long until the first of them has a
    /// token again. The worker leaves their e-conomic requests unclaimed meanwhile, so that one tenant's backlog
    /// never occupies every slot while other tenants wait.
    func saturated(now: ContinuousClock.Instant, horizon: Duration) -> (tenants: [TenantID], freeIn: Duration?) {
        buckets.withLock { buckets in
            var tenants: [TenantID] = []
            var freeIn: Duration?
            for (tenant, bucket) in buckets {
                let elapsed = now - bucket.updated
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let tokens = min(Double(limit.burst), bucket.tokens + max(0, seconds) * limit.requestsPerSecond)
                guard tokens < 1 else { continue }
                let wait = Duration.nanoseconds(Int64(((1 - tokens) / limit.requestsPerSecond * 1e9).rounded(.up)))
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
            var bucket = buckets[tenant] ?? Bucket(tokens: Double(limit.burst), updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(Double(limit.burst), bucket.tokens + max(0, seconds) * limit.requestsPerSecond)
            bucket.updated = max(bucket.updated, now)
            bucket.tokens -= cost
            buckets[tenant] = bucket
            guard bucket.tokens < 0 else { return .zero }
            return .nanoseconds(Int64((-bucket.tokens / limit.requestsPerSecond * 1e9).rounded(.up)))
        }
    }
}

/// A wait for the rate limit given up because the worker is shutting down; the request was not sent.
struct RateLimitWaitAbandoned: Error {}
