public import Logging
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// Listens on PostgreSQL channels with a dedicated connection and thread, and fans notifications out
/// to any number of subscribers.
///
/// Run it as a `Service`; it reconnects with backoff when the connection drops. Because notifications
/// sent while it was disconnected are lost, subscribers also receive a ``Event/reconnected`` signal
/// so they can re-read (a subscriber must never rely on notifications alone).
public final class PGListener: Service, Sendable {
    /// What a subscriber receives.
    public enum Event: Sendable, Hashable {
        /// A notification arrived.
        case notification(PGNotification)
        /// The listener (re)connected; notifications may have been missed before this.
        case reconnected
    }

    private let configuration: PGConfiguration
    private let channels: [String]
    private let logger: Logger
    private let subscribers = Mutex<[Int: AsyncStream<Event>.Continuation]>([:])
    private let observers = Mutex<[Int: @Sendable (Event) -> Void]>([:])
    private let nextSubscriberID = Atomic<Int>(0)
    private let pollMilliseconds: Int32

    /// Makes a listener.
    /// - Parameters:
    ///   - configuration: where to connect.
    ///   - channels: the channels to `LISTEN` on.
    ///   - pollMilliseconds: how long each wait for the socket lasts (also bounds shutdown latency).
    ///   - logger: receives reconnects and errors.
    public init(configuration: PGConfiguration, channels: [String], pollMilliseconds: Int32 = 250, logger: Logger) {
        self.configuration = configuration
        self.channels = channels
        self.pollMilliseconds = pollMilliseconds
        self.logger = logger
    }

    /// A stream of notifications (and reconnect signals) from now on. It ends when the listener stops.
    public func events() -> AsyncStream<Event> {
        let id = nextSubscriberID.wrappingAdd(1, ordering: .relaxed).oldValue
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(1024))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    /// Registers a callback for every event from now on; it runs on the listener's task, so keep it short
    /// (ring a ``Doorbell``-like primitive, yield to a stream). Returns a token for ``removeObserver(_:)``.
    public func addObserver(_ observer: @escaping @Sendable (Event) -> Void) -> Int {
        let id = nextSubscriberID.wrappingAdd(1, ordering: .relaxed).oldValue
        observers.withLock { $0[id] = observer }
        return id
    }

    /// Removes a callback registered with ``addObserver(_:)``.
    public func removeObserver(_ token: Int) {
        _ = observers.withLock { $0.removeValue(forKey: token) }
    }

    /// Connects, listens, and delivers notifications until cancelled or gracefully shut down.
    public func run() async throws {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        defer {
            // Finish outside the lock: finishing runs onTermination, which takes the lock again.
            let finishing = subscribers.withLock { subscribers in
                defer { subscribers.removeAll() }
                return Array(subscribers.values)
            }
            finishing.forEach { $0.finish() }
        }
        await cancelWhenGracefulShutdown { await self.listen(on: thread) }
        try? await thread.shutdownGracefully()
    }

    private func listen(on thread: NIOThreadPool) async {
        var backoff: Duration = .milliseconds(100)
        while !Task.isCancelled {
            do {
                let connection = try await PGConnection.connect(configuration: configuration, threadPool: thread, logger: logger)
                defer { connection.close() }
                for channel in channels { try await connection.listen(channel) }
                logger.debug("listening", metadata: ["db.channels": "\(channels)"])
                broadcast(.reconnected)
                backoff = .milliseconds(100)
                while !Task.isCancelled {
                    for notification in try await connection.waitForNotifications(timeoutMilliseconds: pollMilliseconds) {
                        broadcast(.notification(notification))
                    }
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning("listener connection failed; reconnecting", metadata: ["db.error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    private func broadcast(_ event: Event) {
        subscribers.withLock { subscribers in
            for continuation in subscribers.values { continuation.yield(event) }
        }
        for observer in observers.withLock({ Array($0.values) }) { observer(event) }
    }
}
