public import CoreMetrics
import Metrics

/// Where the reactor's time goes, recorded through an explicit swift-metrics factory (the server's Prometheus registry
/// in `accord serve`, so `/metrics` shows it; nothing by default):
///
/// - `accord_reactor_step_seconds{step}`: one observation per step taken (see ``Step``); its sums over counts are the
///   mean time of each step, and the sums against the wall time show what a tenant's batches wait on (appends overlap
///   the next batch's steps, so the sums may exceed the wall time; `append_wait` is the part that did not overlap).
public struct ReactorMetrics: Sendable {
    let factory: any MetricsFactory

    /// Metrics recorded through `factory`.
    public init(factory: any MetricsFactory) { self.factory = factory }

    /// Metrics that go nowhere (tools and tests that do not look at them).
    public static var none: ReactorMetrics { ReactorMetrics(factory: NOOPMetricsHandler.instance) }

    /// The steps of a shard's turn and of a tenant's batch, as `accord_reactor_step_seconds` names them.
    public enum Step: String, Sendable, CaseIterable {
        /// A round's listing of the shards with events to decide, a shard claimed, its tenants listed, its lease
        /// renewed (once a quarter of it has passed).
        case turn
        /// A tenant's next events read from the log.
        case read
        /// Waiting until the match index has applied the batch's events.
        case waitIndex = "wait_index"
        /// What a run of observations and successes needs, read in one transaction (partnering, customers, candidates).
        case inputs
        /// The run's decisions made in memory.
        case decide
        /// The run's events appended (while the tenant's next run is read and decided: ``AppendInFlight``).
        case append
        /// Waiting for the tenant's previous append before appending a run decided on its outcome (or before deciding
        /// an event on its own, or at the turn's end): what of ``append`` the next run's read and decisions did not cover.
        case appendWait = "append_wait"
        /// An event decided on its own (read, decision and append together).
        case oneByOne = "one_by_one"
        /// The end of a shard's turn: its tenants' checkpoints and its own saved, its lease given back.
        case checkpoint
    }

    /// Records how long one step took.
    func step(_ step: Step, since start: ContinuousClock.Instant) {
        Metrics.Timer(label: "accord_reactor_step_seconds", dimensions: [("step", step.rawValue)], factory: factory)
            .record(duration: ContinuousClock.now - start)
    }
}
