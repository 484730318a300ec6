public import Logging
public import PGClient

/// Runs one loop that follows the event log, or a queue the log feeds: it steps, and between steps it waits the
/// way ``FollowerStateMachine`` says — at once after work, for the doorbell or the poll interval when idle, at short
/// growing intervals for a while after a wake-up, with exponential backoff after a failure.
///
/// The short re-reads matter because a `NOTIFY` (or a listener reconnect) only says that an event was committed:
/// it may still be behind the `pg_snapshot_xmin` watermark (an older transaction anywhere in the cluster holds it
/// back), and it passes the watermark when that transaction ends, which notifies nobody. Without them the event
/// would wait a whole poll interval.
///
/// The step owns the work and its checkpoint (saved in the same transaction as its effects); the follower only
/// decides when to step. It rings its ``doorbell`` for every event of the listener, and anyone else may ring it
/// too (a finished request, a new webhook delivery, graceful shutdown).
public struct Follower: Sendable {
    /// What one step found.
    public enum Outcome: Sendable, Hashable {
        /// It did work and there may be more: step again at once.
        case worked
        /// Nothing to do now. `nextDue` is how soon work becomes due by itself (a scheduled retry), if known.
        case idle(nextDue: Duration? = nil)
        /// Every slot is busy: wait for the doorbell (a slot was freed) or the poll interval, never re-reading early.
        case busy
        /// Another process holds the shard's lock: try again after a poll interval.
        case locked
    }

    /// How long the follower waits in each situation.
    public struct Configuration: Sendable, Hashable {
        /// The longest wait without a ring: the fallback for lost notifications.
        public var pollInterval: Duration
        /// How long after a ring an idle follower keeps re-reading at short intervals (zero: never, for a queue
        /// whose ringer rings after its rows are visible).
        public var rereadWindow: Duration
        /// The first short re-read's delay; doubled per empty re-read, back to this when a ring starts them anew.
        public var firstReread: Duration
        /// The longest delay between short re-reads.
        public var maxReread: Duration
        /// The wait after the first failure; doubled per failure in a row, back to this after a success.
        public var firstBackoff: Duration
        /// The longest wait after failures.
        public var maxBackoff: Duration
        /// The least time between the end of a step and the next step that a ring starts: under a steady stream of
        /// rings a step takes everything that arrived meanwhile, instead of one step (and its round trips) per ring.
        /// A ring after a quiet spell longer than this steps at once (zero: every ring steps at once).
        public var gather: Duration

        /// Makes a configuration; the defaults re-read from 10 ms to 500 ms for 30 s after a ring, back off from
        /// 200 ms to 30 s, and step at once on every ring.
        public init(
            pollInterval: Duration, rereadWindow: Duration = .seconds(30), firstReread: Duration = .milliseconds(10),
            maxReread: Duration = .milliseconds(500), firstBackoff: Duration = .milliseconds(200), maxBackoff: Duration = .seconds(30),
            gather: Duration = .zero
        ) {
            self.gather = gather
            self.pollInterval = pollInterval
            self.rereadWindow = rereadWindow
            self.firstReread = firstReread
            self.maxReread = maxReread
            self.firstBackoff = firstBackoff
            self.maxBackoff = maxBackoff
        }
    }

    /// Wakes the follower; rung for every event of the listener.
    public let doorbell: Doorbell
    let listener: PGListener?
    let configuration: Configuration
    let logger: Logger
    let failureMessage: Logger.Message

    /// Makes a follower.
    /// - Parameters:
    ///   - listener: a listener on ``EventStore/notificationChannel`` (nil: only the doorbell and polling wake it).
    ///   - doorbell: the doorbell to wait on, when others ring it too.
    ///   - configuration: the waits.
    ///   - logger: receives each failure at error level, with the error and the backoff.
    ///   - failureMessage: what the failure log says (e.g. "reactor batch failed; retrying").
    public init(
        listener: PGListener?, doorbell: Doorbell = Doorbell(), configuration: Configuration, logger: Logger, failureMessage: Logger.Message
    ) {
        self.listener = listener
        self.doorbell = doorbell
        self.configuration = configuration
        self.logger = logger
        self.failureMessage = failureMessage
    }

    /// Steps until the task is cancelled or `shouldContinue` says no (checked before each step and after a failure).
    /// A failing step is retried with backoff, never skipped: its error is logged, not thrown.
    public func run(while shouldContinue: () -> Bool = { true }, step: () async throws -> Outcome) async {
        let doorbell = self.doorbell
        let observer = listener?.addObserver { _ in doorbell.ring() }
        defer { observer.map { listener?.removeObserver($0) } }
        var machine = FollowerStateMachine(configuration: configuration)
        while !Task.isCancelled, shouldContinue() {
            let action: FollowerStateMachine.Action
            do {
                action = machine.stepped(try await step(), at: .now)
            } catch {
                if Task.isCancelled || !shouldContinue() { return }
                action = machine.failed()
                if case .sleep(let delay) = action { logger.error(failureMessage, metadata: ["error": "\(error)", "retry.in": "\(delay)"]) }
            }
            switch action {
            case .step:
                continue
            case .wait(let timeout):
                if await doorbell.wait(timeout: timeout) {
                    machine.rang(at: .now)
                    if let hold = machine.gatherDelay(at: .now) { try? await Task.sleep(for: hold) }
                }
            case .sleep(let delay):
                try? await Task.sleep(for: delay)
            }
        }
    }
}
