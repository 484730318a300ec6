/// Faults and delays the sandbox adds on purpose, so that a client's retry, timeout and
/// "did my write happen?" handling can be exercised. Not part of e-conomic.
///
/// Each request in ``scope`` draws once from the sandbox's seeded generator and gets, in this order
/// of precedence: a 429 (``rateLimitRate``), a 5xx (``serverErrorRate``), or a dropped response
/// (``dropResponseRate``: the request is carried out, then the connection is closed without an answer).
/// ``latencyMilliseconds`` (plus up to ``latencyJitterMilliseconds``) is added before any of them.
public struct SandboxKnobs: Codable, Sendable, Equatable {
    /// Which requests the knobs apply to.
    public enum Scope: String, Codable, Sendable, CaseIterable {
        /// `POST /customers`, `PUT /customers/{n}`, `DELETE /customers/{n}` (the default).
        case customerWrites
        /// Every `/customers` request, reads too.
        case customers
        /// Every e-conomic endpoint (never `/_sandbox/…`).
        case all
    }

    /// Share of requests in scope answered with 429 Too Many Requests, 0…1.
    public var rateLimitRate: Double
    /// The `Retry-After` header (seconds) sent with a 429.
    public var retryAfterSeconds: Int
    /// Share of requests in scope answered with ``serverErrorStatus``, 0…1.
    public var serverErrorRate: Double
    /// Status of injected server errors (500, 502, 503, 504).
    public var serverErrorStatus: Int
    /// Share of requests in scope that are carried out but get no response (connection closed), 0…1.
    public var dropResponseRate: Double
    /// Delay added to every request in scope, in milliseconds.
    public var latencyMilliseconds: Int
    /// A random extra delay of 0…this many milliseconds.
    public var latencyJitterMilliseconds: Int
    /// Which requests the knobs apply to.
    public var scope: Scope
    /// After serving a page of `GET /customers` that has a next page, deletes this many of the page's customers
    /// (its first ones), as an accountant tidying up while a client pages through the list: every later customer
    /// shifts forward, and one per deletion slips between two pages unseen. Applies whatever the ``scope``.
    public var deletesPerListedPage: Int

    /// Creates knobs; the defaults inject nothing.
    public init(
        rateLimitRate: Double = 0,
        retryAfterSeconds: Int = 1,
        serverErrorRate: Double = 0,
        serverErrorStatus: Int = 500,
        dropResponseRate: Double = 0,
        latencyMilliseconds: Int = 0,
        latencyJitterMilliseconds: Int = 0,
        scope: Scope = .customerWrites,
        deletesPerListedPage: Int = 0
    ) {
        self.rateLimitRate = rateLimitRate
        self.retryAfterSeconds = retryAfterSeconds
        self.serverErrorRate = serverErrorRate
        self.serverErrorStatus = serverErrorStatus
        self.dropResponseRate = dropResponseRate
        self.latencyMilliseconds = latencyMilliseconds
        self.latencyJitterMilliseconds = latencyJitterMilliseconds
        self.scope = scope
        self.deletesPerListedPage = deletesPerListedPage
    }

    /// No faults, no latency.
    public static var none: SandboxKnobs { SandboxKnobs() }

    /// Decodes knobs; missing keys take their defaults, so `{"rateLimitRate":0.2}` is a complete value.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SandboxKnobs()
        self.rateLimitRate = try c.decodeIfPresent(Double.self, forKey: .rateLimitRate) ?? d.rateLimitRate
        self.retryAfterSeconds = try c.decodeIfPresent(Int.self, forKey: .retryAfterSeconds) ?? d.retryAfterSeconds
        self.serverErrorRate = try c.decodeIfPresent(Double.self, forKey: .serverErrorRate) ?? d.serverErrorRate
        self.serverErrorStatus = try c.decodeIfPresent(Int.self, forKey: .serverErrorStatus) ?? d.serverErrorStatus
        self.dropResponseRate = try c.decodeIfPresent(Double.self, forKey: .dropResponseRate) ?? d.dropResponseRate
        self.latencyMilliseconds = try c.decodeIfPresent(Int.self, forKey: .latencyMilliseconds) ?? d.latencyMilliseconds
        self.latencyJitterMilliseconds =
            try c.decodeIfPresent(Int.self, forKey: .latencyJitterMilliseconds) ?? d.latencyJitterMilliseconds
        self.scope = try c.decodeIfPresent(Scope.self, forKey: .scope) ?? d.scope
        self.deletesPerListedPage = try c.decodeIfPresent(Int.self, forKey: .deletesPerListedPage) ?? d.deletesPerListedPage
    }

    /// Problems that make the knobs unusable (rates outside 0…1, negative delays, a non-5xx status).
    public var problems: [String] {
        var problems: [String] = []
        for (name, rate) in [("rateLimitRate", rateLimitRate), ("serverErrorRate", serverErrorRate), ("dropResponseRate", dropResponseRate)]
        where !(0...1).contains(rate) {
            problems.append("\(name) must be between 0 and 1")
        }
        if retryAfterSeconds < 0 { problems.append("retryAfterSeconds must not be negative") }
        if latencyMilliseconds < 0 || latencyJitterMilliseconds < 0 { problems.append("latency must not be negative") }
        if !(500...599).contains(serverErrorStatus) { problems.append("serverErrorStatus must be 500…599") }
        if deletesPerListedPage < 0 { problems.append("deletesPerListedPage must not be negative") }
        return problems
    }
}

/// How `POST /customers` picks a number when the body has none.
///
/// e-conomic documents only that "a number will be supplied by the system"; recorded agreements show both
/// small consecutive numbers and large scattered 9-digit ones. Clients must read the number from the
/// response, never predict it, and ``scattered(_:)`` (the default) makes a client that guesses fail fast.
public enum CustomerNumbering: Codable, Sendable, Equatable {
    /// A counter that starts at the given number and skips numbers already taken. Deleted numbers are not
    /// reused and explicitly chosen numbers do not move the counter, so this is not "max + 1".
    case consecutive(startingAt: Int)
    /// Random free numbers in the range, drawn from the seeded generator (reproducible with the same seed).
    case scattered(ClosedRange<Int>)

    /// The default: 9-digit numbers like those e-conomic gave API-created customers in recorded agreements.
    public static var `default`: CustomerNumbering { .scattered(100_000_000...999_999_999) }
}
