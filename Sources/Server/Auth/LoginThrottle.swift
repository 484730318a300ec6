import Synchronization

/// Slows down guessing API keys and passwords at the login form, per client address and per account (the key id,
/// the public part of a presented `ak_<id>_<secret>`, or the e-mail address), in memory: once
/// ``Policy/freeFailures`` logins have failed, that address or account is blocked for ``Policy/firstBlock``, and
/// each further failure blocks it for twice as long as the one before (at most ``Policy/longestBlock``). A blocked
/// attempt is refused before the key or password is checked. A success clears its account's record but not its
/// address's, so a valid login of one's own does not reset the count of guesses at others.
/// A record with no failure for ``Policy/forgetAfter`` is forgotten.
///
/// Each replica counts on its own; the per-client rate limit (``RateLimitMiddleware``) bounds the rest.
public final class LoginThrottle: Sendable {
    /// How fast blocks grow.
    public struct Policy: Sendable, Hashable {
        /// Failures allowed before the first block.
        public var freeFailures: Int
        /// The first block's length.
        public var firstBlock: Duration
        /// The longest block.
        public var longestBlock: Duration
        /// How long after its last failure a record is dropped.
        public var forgetAfter: Duration

        /// Makes a policy (defaults: 5 free failures, then blocks of 1 s, 2 s, 4 s … up to 15 min; forgotten after 1 h).
        public init(
            freeFailures: Int = 5, firstBlock: Duration = .seconds(1), longestBlock: Duration = .seconds(900), forgetAfter: Duration = .seconds(3600)
        ) {
            self.freeFailures = freeFailures
            self.firstBlock = firstBlock
            self.longestBlock = longestBlock
            self.forgetAfter = forgetAfter
        }
    }

    struct Record: Sendable {
        var failures: Int
        var last: ContinuousClock.Instant
        var blockedUntil: ContinuousClock.Instant
    }

    /// The policy.
    public let policy: Policy
    private let records = Mutex<[String: Record]>([:])
    /// The most records kept (stale ones are dropped first).
    let capacity: Int

    /// Makes a throttle.
    public init(policy: Policy = Policy(), capacity: Int = 100_000) {
        self.policy = policy
        self.capacity = capacity
    }

    /// The keys an attempt is counted under: the client's address and, when the attempt names one, the account
    /// (``account(keyID:)``, ``account(email:)``).
    static func keys(address: String, account: String?) -> [String] {
        ["address:" + address] + (account.map { [$0] } ?? [])
    }

    /// The account an API key's attempts are counted under.
    static func account(keyID: String) -> String { "key:" + keyID }

    /// The account a user's attempts are counted under.
    static func account(email: String) -> String { "user:" + email }

    /// How long the attempt must wait (nil: it may go ahead).
    func blocked(_ keys: [String], now: ContinuousClock.Instant = .now) -> Duration? {
        records.withLock { records in
            keys.compactMap { records[$0] }.map { $0.blockedUntil - now }.filter { $0 > .zero }.max()
        }
    }

    /// Counts a failed attempt.
    func failed(_ keys: [String], now: ContinuousClock.Instant = .now) {
        records.withLock { records in
            if records.count >= capacity { records = records.filter { now - $0.value.last < policy.forgetAfter } }
            if records.count >= capacity { records.removeAll(keepingCapacity: true) }
            for key in keys {
                var record =
                    records[key].flatMap { now - $0.last < policy.forgetAfter ? $0 : nil } ?? Record(failures: 0, last: now, blockedUntil: now)
                record.failures += 1
                record.last = now
                let over = record.failures - policy.freeFailures
                if over >= 0 {
                    let block = policy.firstBlock * (1 << min(over, 30))
                    record.blockedUntil = now + min(block, policy.longestBlock)
                }
                records[key] = record
            }
        }
    }

    /// Clears an account's record after a successful login.
    func succeeded(account: String) {
        _ = records.withLock { $0.removeValue(forKey: account) }
    }
}
