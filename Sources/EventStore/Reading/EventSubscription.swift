public import PGClient

/// New events as they are committed, in `(txid, global_position)` order, in batches.
///
/// It reads forward from a checkpoint; when caught up it waits to be woken by the `events` insert trigger's
/// `NOTIFY` (through a ``PGListener``), and polls every `pollInterval` as the fallback (notifications can be
/// lost across reconnects, and an event may only pass the watermark when an unrelated transaction ends).
/// After a wake-up that found nothing yet, it re-reads at short intervals until the event is readable.
///
/// The subscription keeps its position in memory; a consumer that needs exactly-once effects saves its own
/// checkpoint together with its writes and restarts from it.
public struct EventSubscription: AsyncSequence, Sendable {
    /// A batch of events.
    public typealias Element = [RecordedEvent]

    let store: EventStore
    let start: Checkpoint
    let batchSize: Int
    let pollInterval: Duration
    let tenant: TenantID?
    let listener: PGListener?

    /// Starts the iteration.
    public func makeAsyncIterator() -> Iterator {
        Iterator(subscription: self)
    }

    /// Reads batches; ends (returns nil) when the task is cancelled.
    public final class Iterator: AsyncIteratorProtocol {
        private let subscription: EventSubscription
        private var checkpoint: Checkpoint
        private let doorbell = Doorbell()
        private var observer: Int?
        private var wakeDeadline: ContinuousClock.Instant?
        private var quickRetry: Duration = .milliseconds(10)

        init(subscription: EventSubscription) {
            self.subscription = subscription
            self.checkpoint = subscription.start
            if let listener = subscription.listener {
                let doorbell = self.doorbell
                let tenant = subscription.tenant?.rawValue
                observer = listener.addObserver { event in
                    switch event {
                    case .reconnected: doorbell.ring()
                    case .notification(let notification):
                        if tenant == nil || notification.payload == tenant { doorbell.ring() }
                    }
                }
            }
        }

        deinit {
            if let observer { subscription.listener?.removeObserver(observer) }
        }

        /// The next non-empty batch, waiting for one as long as needed.
        ///
        /// A notification means an event was committed, but it may not be readable yet: an older transaction
        /// anywhere in the cluster can hold the watermark back, and a read may return only part of what was
        /// committed. So for 30 seconds after each wake-up the iterator keeps re-reading at short intervals
        /// (10 ms growing to 500 ms, back to 10 ms after each batch), instead of waiting a whole poll interval.
        /// - Throws: ``EventStoreError`` when reading fails.
        public func next() async throws -> [RecordedEvent]? {
            while !Task.isCancelled {
                let batch = try await subscription.store.readForward(
                    after: checkpoint, limit: subscription.batchSize, tenant: subscription.tenant)
                if let last = batch.last {
                    checkpoint = last.checkpoint
                    quickRetry = .milliseconds(10)
                    return batch
                }
                let now = ContinuousClock.now
                var timeout = subscription.pollInterval
                if let deadline = wakeDeadline, now < deadline {
                    timeout = Swift.min(quickRetry, subscription.pollInterval)
                    quickRetry = Swift.min(quickRetry * 2, .milliseconds(500))
                } else {
                    wakeDeadline = nil
                }
                if await doorbell.wait(timeout: timeout) {
                    wakeDeadline = ContinuousClock.now.advanced(by: .seconds(30))
                    quickRetry = .milliseconds(10)
                }
            }
            return nil
        }
    }
}

extension EventStore {
    /// A subscription to events committed after `checkpoint`.
    /// - Parameters:
    ///   - checkpoint: where to start (exclusive).
    ///   - batchSize: the most events per batch.
    ///   - pollInterval: the longest wait between reads when no notification arrives.
    ///   - tenant: only this tenant's events, if given.
    ///   - listener: a listener on ``EventStore/notificationChannel``; without one, the subscription only polls.
    public func subscribe(
        after checkpoint: Checkpoint, batchSize: Int = 500, pollInterval: Duration = .seconds(1),
        tenant: TenantID? = nil, listener: PGListener?
    ) -> EventSubscription {
        EventSubscription(
            store: self, start: checkpoint, batchSize: batchSize, pollInterval: pollInterval, tenant: tenant, listener: listener)
    }
}
