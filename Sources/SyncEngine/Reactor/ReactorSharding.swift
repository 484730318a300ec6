/// How the reactor's work is cut and shared: tenants are spread over ``shards`` by a stable hash of their id, each
/// shard is leased to one reactor task at a time across every process on the database, and each process runs
/// ``tasks`` reactor tasks that take whichever shard is free and has waited longest.
///
/// Every process on one database should use the same number of shards: with different numbers a tenant belongs to
/// a shard of each, and two tasks may decide for it at once — still correct (decisions are keyed by their causing
/// event and appended with expected versions), but done twice.
public struct ReactorSharding: Sendable, Hashable {
    /// How many shards the tenants are spread over (`ACCORD_REACTOR_SHARDS`).
    public var shards: Int
    /// How many reactor tasks this process runs (`ACCORD_REACTOR_TASKS`); each holds at most one shard at a time.
    public var tasks: Int
    /// How long a shard stays leased without being renewed (`ACCORD_REACTOR_LEASE`): a killed process's shards are
    /// taken over after at most this. The holder renews it before a batch once a quarter of it has passed, so a batch
    /// must take less than three quarters of it.
    public var lease: Duration
    /// How long a turn goes on giving its tenants further batches while some still have events up to its horizon
    /// (a tenant's backlog then pays a shard's claim, listing and release once per turn, not once per batch). Other
    /// shards wait at most this (and one batch) for a task that holds one of them; the shard's own tenants take a
    /// batch each in every pass.
    public var turnLength: Duration

    /// Makes a configuration; the defaults suit one or a few processes on a small machine.
    public init(shards: Int = 8, tasks: Int = 2, lease: Duration = .seconds(10), turnLength: Duration = .milliseconds(200)) {
        self.shards = max(1, shards)
        self.tasks = max(1, tasks)
        self.lease = lease
        self.turnLength = turnLength
    }
}
