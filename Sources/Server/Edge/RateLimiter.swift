import Synchronization

/// Token buckets by key (a client address, a tenant), in memory: each key may spend ``RequestRateLimit/burst``
/// requests at once and gets ``RequestRateLimit/requestsPerSecond`` back per second. Each replica counts on its
/// own, so behind a load balancer over N replicas a client gets up to N times the limit.
///
/// Memory is bounded: at most ``capacity`` keys are kept; when that is reached, the keys whose buckets have refilled
/// (idle clients, who lose nothing by being forgotten) are dropped, and if none have, the whole table is cleared
/// rather than refusing new clients because of old ones.
///
/// The outbound worker's bucket (`Outbound/TokenBucket`) adapts its rate to 429s and makes callers wait; here a
/// request over the limit is refused at once, so the bucket is the plain one.
public final class RateLimiter: Sendable {
    /// One key's bucket.
    struct Bucket: Sendable {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// The limit every key gets.
    public let limit: RequestRateLimit
    /// The most keys kept at once.
    public let capacity: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    /// Makes a limiter.
    public init(limit: RequestRateLimit, capacity: Int = 100_000) {
        self.limit = limit
        self.capacity = capacity
    }

    /// How long `key` must wait at `now` for a token, or nil when it has one: what ``take(_:now:)`` would answer,
    /// without taking it.
    public func wait(for key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            guard var bucket = buckets[key] else { return nil }
            refill(&bucket, to: now)
            return bucket.tokens >= 1 ? nil : Self.wait(for: bucket, limit: limit)
        }
    }

    /// Takes one request's token for `key` at `now`: nil when allowed, else how long until a token is back (for
    /// `Retry-After`).
    public func take(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: Double(limit.burst), updated: now)
            refill(&bucket, to: now)
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                return Self.wait(for: bucket, limit: limit)
            }
            bucket.tokens -= 1
            if buckets[key] == nil && buckets.count >= capacity { prune(&buckets, now: now) }
            buckets[key] = bucket
            return nil
        }
    }

    /// How many keys are kept now.
    var count: Int { buckets.withLock { $0.count } }

    /// How long until a bucket holding less than one token has one.
    private static func wait(for bucket: Bucket, limit: RequestRateLimit) -> Duration {
        .nanoseconds(Int64(((1 - bucket.tokens) / limit.requestsPerSecond * 1e9).rounded(.up)))
    }

    private func refill(_ bucket: inout Bucket, to now: ContinuousClock.Instant) {
        guard now > bucket.updated else { return }
        let elapsed = now - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        bucket.tokens = min(Double(limit.burst), bucket.tokens + seconds * limit.requestsPerSecond)
        bucket.updated = now
    }

    private func prune(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant) {
        buckets = buckets.filter { _, bucket in
            var bucket = bucket
            refill(&bucket, to: now)
            return bucket.tokens < Double(limit.burst)
        }
        if buckets.count >= capacity { buckets.removeAll(keepingCapacity: true) }
    }
}
