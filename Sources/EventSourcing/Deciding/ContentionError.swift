public import EventStore

/// Other writers kept changing the streams a decision was based on: every attempt ``DecisionRunner`` was allowed
/// lost the race. Nothing of the decision was appended; running the command again later is safe.
public struct ContentionError: Error, Sendable, CustomStringConvertible {
    /// The tenant whose streams were contended.
    public var tenant: TenantID
    /// How many times the decision was made and lost the race.
    public var attempts: Int
    /// The last attempt's concurrency conflict (it names the stream).
    public var conflict: EventStoreError

    /// Makes an error.
    public init(tenant: TenantID, attempts: Int, conflict: EventStoreError) {
        self.tenant = tenant
        self.attempts = attempts
        self.conflict = conflict
    }

    /// The stream the last attempt found changed, if the store could tell.
    public var stream: StreamID? { conflict.stream }

    /// Which stream kept changing, and for how many attempts.
    public var description: String {
        "other writers kept changing \(stream.map { "stream \($0)" } ?? "the same streams") of tenant \(tenant); gave up after \(attempts) attempts"
    }
}
