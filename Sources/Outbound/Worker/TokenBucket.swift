/// One tenant's token bucket toward one system, whose rate adapts to the system's answers. Pure: time comes in as
/// an argument, so its behaviour is tested without waiting.
///
/// Tokens come back at the current rate up to the current burst; a caller takes its tokens at once and, when that
/// leaves the bucket in debt, waits until the debt is paid, so callers are served in the order they asked.
///
/// A 429 is the system saying "too fast" (its own limit is not published, and may be lower than ours or shared with
/// other apps): ``rateLimited(at:retryAfter:)`` halves the rate (multiplicative decrease; 429s within a second of a
/// decrease count as the same overload), empties the bucket, and pauses it until the Retry-After has passed. The
/// rate then recovers linearly to the configured one (additive increase), so a tenant that was slowed down finds its
/// way back without ever jumping to full speed into the same wall. The burst shrinks and grows with the rate.
struct TokenBucket: Sendable {
    /// The configured rate, burst and adaptation.
    let limit: RateLimit
    /// Tokens available at ``updated`` (negative: owed by callers already admitted).
    private(set) var tokens: Double
    /// When ``tokens`` was last brought up to date.
    private(set) var updated: ContinuousClock.Instant
    /// The rate right after the last decrease, and when it happened (nil: never slowed down).
    private(set) var decrease: (rate: Double, at: ContinuousClock.Instant)?
    /// No token comes back before this (the last Retry-After).
    private(set) var pausedUntil: ContinuousClock.Instant?

    /// A full bucket at the configured rate.
    init(limit: RateLimit, now: ContinuousClock.Instant) {
        self.limit = limit
        self.tokens = Double(limit.burst)
        self.updated = now
    }

    /// The rate at `now`, in requests per second: the configured one, or less while recovering from a 429.
    func rate(at now: ContinuousClock.Instant) -> Double {
        guard let decrease else { return limit.requestsPerSecond }
        let recovered = limit.requestsPerSecond * Self.seconds(now - decrease.at) / Self.seconds(limit.adaptation.recovery)
        return min(limit.requestsPerSecond, decrease.rate + max(0, recovered))
    }

    /// The burst at `now`: the configured one scaled by how far the rate is slowed down, at least one request.
    func burst(at now: ContinuousClock.Instant) -> Double {
        max(1, Double(limit.burst) * rate(at: now) / limit.requestsPerSecond)
    }

    /// Takes `cost` tokens at `now` and returns how long the caller must wait before its calls.
    mutating func reserve(_ cost: Double, at now: ContinuousClock.Instant) -> Duration {
        refill(to: now)
        tokens -= cost
        return wait(at: now)
    }

    /// Gives back tokens reserved for calls that were not made.
    mutating func refund(_ cost: Double) {
        tokens += cost
    }

    /// The system answered 429 at `now`: slow down, drop what was saved, and pause for `retryAfter` if it said so.
    mutating func rateLimited(at now: ContinuousClock.Instant, retryAfter: Duration?) {
        refill(to: now)
        if decrease.map({ now - $0.at >= limit.adaptation.sameOverload }) ?? true {
            let slowed = rate(at: now) * limit.adaptation.decrease
            decrease = (max(limit.requestsPerSecond * limit.adaptation.floor, slowed), now)
        }
        tokens = min(tokens, 0)
        if let retryAfter, retryAfter > .zero {
            pausedUntil = max(pausedUntil ?? now, now + retryAfter)
        }
    }

    /// How long a caller that already holds its tokens waits at `now`: until the pause ends and the debt is paid.
    func wait(at now: ContinuousClock.Instant) -> Duration {
        let start = max(now, pausedUntil ?? now)
        let owed = -min(0, tokens)
        guard owed > 0 else { return start - now }
        return start - now + .nanoseconds(Int64((owed / rate(at: start) * 1e9).rounded(.up)))
    }

    /// How long until one more token is available at `now` (zero when there is one).
    func waitForToken(at now: ContinuousClock.Instant) -> Duration {
        var copy = self
        copy.refill(to: now)
        let start = max(now, copy.pausedUntil ?? now)
        let missing = 1 - copy.tokens
        guard missing > 0 else { return start - now }
        return start - now + .nanoseconds(Int64((missing / copy.rate(at: start) * 1e9).rounded(.up)))
    }

    /// Brings ``tokens`` to `now`: tokens come back at the rate in force, from the end of any pause.
    private mutating func refill(to now: ContinuousClock.Instant) {
        let from = max(updated, pausedUntil ?? updated)
        if now > from {
            tokens = min(burst(at: now), tokens + Self.seconds(now - from) * rate(at: from))
        }
        updated = max(updated, now)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
