public import Foundation

/// Exponential backoff with jitter, honouring a server's Retry-After, and an attempt limit.
///
/// The delay after failed attempt *n* (1-based) is `min(maxDelay, baseDelay × multiplier^(n-1))`,
/// jittered to between half of it and all of it ("equal jitter": retries of many requests spread
/// out, but never come sooner than half the backoff). A Retry-After (capped at `maxRetryAfter`)
/// is a lower bound. After `maxAttempts` failed attempts the request is abandoned.
public struct RetryPolicy: Hashable, Sendable, Codable {
    /// The first delay in seconds.
    public var baseDelay: Double
    /// The growth factor per attempt.
    public var multiplier: Double
    /// The largest backoff in seconds (before jitter).
    public var maxDelay: Double
    /// Failed attempts after which the request is abandoned.
    public var maxAttempts: Int
    /// The largest Retry-After honoured, in seconds.
    public var maxRetryAfter: Double

    /// Creates a policy.
    public init(baseDelay: Double, multiplier: Double, maxDelay: Double, maxAttempts: Int, maxRetryAfter: Double = 86_400) {
        self.baseDelay = baseDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.maxAttempts = maxAttempts
        self.maxRetryAfter = maxRetryAfter
    }

    /// Exponential backoff with equal jitter.
    /// - Parameters:
    ///   - base: The first delay in seconds (default 2).
    ///   - multiplier: Growth per attempt (default 2).
    ///   - maxDelay: The largest backoff (default one hour).
    ///   - maxAttempts: Attempts before abandoning (default 8: about 4 minutes of retries in total).
    public static func exponentialJitter(base: Double = 2, multiplier: Double = 2, maxDelay: Double = 3_600, maxAttempts: Int = 8) -> RetryPolicy {
        RetryPolicy(baseDelay: base, multiplier: multiplier, maxDelay: maxDelay, maxAttempts: maxAttempts)
    }

    /// The default policy (``exponentialJitter(base:multiplier:maxDelay:maxAttempts:)`` defaults).
    public static let `default` = RetryPolicy.exponentialJitter()

    /// The delay in seconds before the attempt after failed attempt `attempt`.
    /// - Parameters:
    ///   - attempt: The failed attempt's number (1-based).
    ///   - retryAfter: The server's Retry-After in seconds, if any.
    ///   - jitter: A random number in `0..<1` (clamped).
    public func delay(afterAttempt attempt: Int, retryAfter: Double? = nil, jitter: Double) -> Double {
        let exponent = Double(Swift.max(0, attempt - 1))
        let backoff = Swift.min(maxDelay, baseDelay * pow(multiplier, exponent))
        let unit = Swift.min(Swift.max(jitter, 0), 1)
        let jittered = backoff / 2 + unit * backoff / 2
        guard let retryAfter, retryAfter > 0 else { return jittered }
        return Swift.max(jittered, Swift.min(retryAfter, maxRetryAfter))
    }

    /// The delay drawing the jitter from a random number generator.
    /// - Parameters:
    ///   - attempt: The failed attempt's number (1-based).
    ///   - retryAfter: The server's Retry-After in seconds, if any.
    ///   - generator: The source of randomness.
    public func delay(afterAttempt attempt: Int, retryAfter: Double? = nil, using generator: inout some RandomNumberGenerator) -> Double {
        delay(afterAttempt: attempt, retryAfter: retryAfter, jitter: Double.random(in: 0..<1, using: &generator))
    }

    /// The longest a request waits for a rate limit when the server sends no Retry-After, in seconds. A 429 says
    /// "too fast right now", not "broken": the sender's own limiter slows down as well, so waiting longer only idles.
    public static let maxRateLimitBackoff: Double = 60

    /// When to send again after the `wait`-th 429 (1-based) at `now`: the server's Retry-After when it sent one
    /// (capped at ``maxRetryAfter``), else the jittered backoff of attempt `wait`, at most ``maxRateLimitBackoff``;
    /// rounded to whole milliseconds. Waits never count toward ``maxAttempts``.
    public func rateLimitedRetryAt(wait: Int, now: Date, retryAfter: Double?, jitter: Double) -> Date {
        let seconds: Double
        if let retryAfter, retryAfter > 0 {
            seconds = Swift.min(retryAfter, maxRetryAfter)
        } else {
            seconds = Swift.min(delay(afterAttempt: Swift.min(wait, 32), jitter: jitter), Self.maxRateLimitBackoff)
        }
        return Date(timeIntervalSince1970: ((now.timeIntervalSince1970 + seconds) * 1000).rounded() / 1000)
    }

    /// When to retry after failed attempt `attempt` at `now`, rounded to whole milliseconds (the
    /// precision events store).
    public func retryAt(afterAttempt attempt: Int, now: Date, retryAfter: Double? = nil, jitter: Double) -> Date {
        let seconds = now.timeIntervalSince1970 + delay(afterAttempt: attempt, retryAfter: retryAfter, jitter: jitter)
        return Date(timeIntervalSince1970: (seconds * 1000).rounded() / 1000)
    }
}
