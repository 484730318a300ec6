/// The pure bookkeeping of a ``Follower``'s loop: when to step again, how long to wait, how far to back off.
///
/// It performs no IO and reads no clock: each input (a step's outcome, a failure, a ring) arrives with the time
/// as data and returns the action the driver carries out, so the rules are testable without a database:
///
/// - after work, step again at once;
/// - idle, wait for the doorbell or the poll interval (sooner when the step knows work falls due earlier);
/// - idle within ``Follower/Configuration/rereadWindow`` after a ring, re-read at short, growing intervals: the
///   event the ring announced may still be behind the watermark, and passing it notifies nobody. Finding work does
///   not end them (a step may read older events while the announced one is still held back). A ring while they
///   run extends them without starting the delays over, so a busy log costs a re-read per longest delay, not
///   several per ring;
/// - a ring less than ``Follower/Configuration/gather`` after the last step ended waits out the rest of it, so
///   that under a steady stream of rings one step takes what several rings announced;
/// - after a failure, back off exponentially up to a cap; the next success resets the backoff;
/// - a shard locked by another process waits a poll interval, and busy slots wait for the doorbell.
struct FollowerStateMachine: Sendable {
    /// What the driver must do next.
    enum Action: Sendable, Hashable {
        /// Run the step.
        case step
        /// Wait for the doorbell, at most this long; then step (report a ring with ``rang(at:)``).
        case wait(Duration)
        /// Sleep this long whatever rings (a ring stays pending for the next wait); then step.
        case sleep(Duration)
    }

    let configuration: Follower.Configuration
    /// The wait after the next failure.
    private(set) var backoff: Duration
    /// The next short re-read's delay.
    private(set) var rereadDelay: Duration
    /// The end of the short re-reads started by the rings, if they have not ended yet.
    private(set) var rereadUntil: ContinuousClock.Instant?
    /// When the last successful step ended.
    private(set) var lastStepEnded: ContinuousClock.Instant?

    init(configuration: Follower.Configuration) {
        self.configuration = configuration
        self.backoff = configuration.firstBackoff
        self.rereadDelay = configuration.firstReread
    }

    /// A step succeeded with `outcome` at `now`.
    mutating func stepped(_ outcome: Follower.Outcome, at now: ContinuousClock.Instant) -> Action {
        backoff = configuration.firstBackoff
        lastStepEnded = now
        switch outcome {
        case .worked:
            return .step
        case .idle(let nextDue):
            var timeout = configuration.pollInterval
            if let nextDue { timeout = min(timeout, max(nextDue, .zero)) }
            if let until = rereadUntil, now < until {
                timeout = min(timeout, rereadDelay)
                rereadDelay = min(rereadDelay * 2, configuration.maxReread)
            } else {
                rereadUntil = nil
            }
            return .wait(timeout)
        case .busy:
            return .wait(configuration.pollInterval)
        case .locked:
            return .sleep(configuration.pollInterval)
        }
    }

    /// A step failed: back off, doubling the next backoff up to the cap.
    mutating func failed() -> Action {
        defer { backoff = min(backoff * 2, configuration.maxBackoff) }
        return .sleep(backoff)
    }

    /// A wait ended because the doorbell rang at `now` (a notification, a listener reconnect, or another ringer):
    /// what it announced may not be readable yet, so the short re-reads last until a window after it, starting from
    /// the first delay unless they are still running.
    mutating func rang(at now: ContinuousClock.Instant) {
        if rereadUntil.map({ now >= $0 }) ?? true { rereadDelay = configuration.firstReread }
        rereadUntil = now.advanced(by: configuration.rereadWindow)
    }

    /// How long a step that a ring at `now` would start waits first: the rest of ``Follower/Configuration/gather``
    /// since the last step ended, or nil to step at once.
    func gatherDelay(at now: ContinuousClock.Instant) -> Duration? {
        guard configuration.gather > .zero, let last = lastStepEnded else { return nil }
        let remaining = last.advanced(by: configuration.gather) - now
        return remaining > .zero ? remaining : nil
    }
}
