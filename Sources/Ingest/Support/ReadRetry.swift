public import Connectors
public import Logging
public import SyncDomain

/// How a read from Stripe or e-conomic (a page of customers or events, one customer) is tried again, so that a
/// long read — `accord economic read`, a backfill, a catch-up — survives what passes instead of starting over:
///
/// - a 429 is back-pressure, not a failure: wait the server's `Retry-After` (or the policy's backoff when it sends
///   none) and ask again, without using an attempt; only an unbroken run of ``maxRateLimitWaits`` 429s gives up;
/// - a 5xx, a timeout or a dropped connection uses an attempt of ``policy`` (reads are safe to repeat);
/// - anything else (a refused key, a bad request) is thrown at once.
public struct ReadRetry: Sendable {
    /// Backoff and attempts for failures that may pass.
    public var policy: RetryPolicy
    /// 429s in a row that are waited out before the read gives up.
    public var maxRateLimitWaits: Int
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Makes a retry.
    /// - Parameters:
    ///   - policy: backoff and attempts for 5xx, timeouts and transport failures.
    ///   - maxRateLimitWaits: 429s in a row waited out before giving up.
    ///   - sleep: waits (tests record the waits instead).
    public init(
        policy: RetryPolicy = .exponentialJitter(base: 1, multiplier: 2, maxDelay: 60, maxAttempts: 6), maxRateLimitWaits: Int = 120,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.policy = policy
        self.maxRateLimitWaits = maxRateLimitWaits
        self.sleep = sleep
    }

    /// The default: 429s waited out (up to 120 in a row), other transient failures tried 6 times over about a minute.
    public static var standard: ReadRetry { ReadRetry() }

    /// What a failed read calls for.
    enum Verdict: Equatable {
        /// 429: wait (the server's Retry-After in seconds, when sent) and ask again.
        case rateLimited(retryAfter: Double?)
        /// May pass: back off and use an attempt.
        case transient
        /// Will not pass by waiting.
        case permanent
    }

    static func verdict(_ error: any Error) -> Verdict {
        if let error = error as? EconomicAPIError {
            if case .rateLimited(let retryAfter) = error.code { return .rateLimited(retryAfter: retryAfter.map(Double.init)) }
            return error.isRetryable ? .transient : .permanent
        }
        if let error = error as? StripeAPIError {
            if error.kind == .api, error.status == 429 {
                return .rateLimited(retryAfter: error.retryAfter.map { Double($0.components.seconds) })
            }
            return error.isRetryable ? .transient : .permanent
        }
        return .permanent
    }

    /// Runs `read` until it succeeds or fails for good.
    /// - Parameters:
    ///   - what: the read, for the log (e.g. "list e-conomic customers, page 3").
    ///   - logger: each wait is logged at notice level (the CLI shows it), with the reason.
    ///   - read: the read.
    /// - Throws: the read's last error once it cannot pass by waiting, or `CancellationError`.
    public func run<Value>(_ what: String, logger: Logger, _ read: () async throws -> Value) async throws -> Value {
        var failures = 0
        var rateLimits = 0
        while true {
            do {
                return try await read()
            } catch {
                let seconds: Double
                switch Self.verdict(error) {
                case .rateLimited(let retryAfter):
                    rateLimits += 1
                    guard rateLimits <= maxRateLimitWaits else { throw error }
                    seconds =
                        retryAfter.map { min($0, policy.maxRetryAfter) }
                        ?? policy.delay(afterAttempt: rateLimits, jitter: Double.random(in: 0..<1))
                case .transient:
                    rateLimits = 0
                    failures += 1
                    guard failures < policy.maxAttempts else { throw error }
                    seconds = policy.delay(afterAttempt: failures, jitter: Double.random(in: 0..<1))
                case .permanent:
                    throw error
                }
                logger.notice(
                    "\(what): waiting before asking again", metadata: ["wait_seconds": "\(seconds)", "error": "\(error)"])
                try await sleep(.milliseconds(Int64((seconds * 1000).rounded())))
            }
        }
    }
}
