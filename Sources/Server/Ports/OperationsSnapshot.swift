/// What `/metrics` reports beyond the server's own counters, read once per scrape: the webhook inbox, the outbound
/// queue, how far each follower (projection, reactor) is behind per tenant, and the database pool.
public struct OperationsSnapshot: Sendable, Equatable {
    /// How far one follower is behind one tenant's events.
    public struct Lag: Sendable, Equatable {
        /// The projection's name, or the reactor's.
        public var follower: String
        /// The tenant.
        public var tenant: String
        /// Events of the tenant it has not applied (counted up to ``OperationsSnapshot/lagCountLimit``).
        public var events: Int

        /// Makes a lag.
        public init(follower: String, tenant: String, events: Int) {
            self.follower = follower
            self.tenant = tenant
            self.events = events
        }
    }

    /// Deliveries waiting to be processed, across tenants.
    public var inboxBacklog = 0
    /// Outbound requests by queue status (`pending`, `failed_waiting`, `rate_limited`, `abandoned`, …), across
    /// tenants, and `in_flight` for those claimed now.
    public var outbound: [String: Int] = [:]
    /// How long the longest-due open outbound request has been due, in seconds (0 when none is due).
    public var oldestDueSeconds: Double = 0
    /// Followers behind, per tenant (only those behind).
    public var lag: [Lag] = []
    /// The pool: connections leased, idle, and tasks waiting for one.
    public var pool: (inUse: Int, idle: Int, waiting: Int) = (0, 0, 0)

    /// The most events counted per follower and scrape (a follower further behind shows this many).
    public static let lagCountLimit = 100_000

    /// Makes an empty snapshot.
    public init() {}

    public static func == (lhs: OperationsSnapshot, rhs: OperationsSnapshot) -> Bool {
        lhs.inboxBacklog == rhs.inboxBacklog && lhs.outbound == rhs.outbound && lhs.oldestDueSeconds == rhs.oldestDueSeconds
            && lhs.lag == rhs.lag && lhs.pool == rhs.pool
    }
}
