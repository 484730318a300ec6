public import SyncDomain

extension RetryPolicy {
    /// How ``DecisionRunner`` waits before deciding again after losing a race: a few milliseconds, doubling,
    /// jittered so that writers that collided do not collide again; eight attempts in all (under 0.1 s of waiting).
    public static let concurrencyConflicts = RetryPolicy.exponentialJitter(base: 0.001, multiplier: 2, maxDelay: 0.032, maxAttempts: 8)
}
