import Logging
import PGClient
import PostgresTestSupport
import Testing

@testable import EventStore

/// The notifier against a real listener: commits that arrive while a notification is on its way or within its
/// interval after it gather into the next one, which names each tenant once.
@Suite("commit notifier", .timeLimit(.minutes(1)))
struct CommitNotifierTests {
    @Test("the first commit is notified at once; those within the interval after it gather into one notification per tenant")
    func gathersCommits() async throws {
        try await withStore { _, pool, database, acme, globex in
            let listener = PGListener(configuration: database.configuration, channels: [EventStore.notificationChannel], logger: database.logger)
            let events = listener.events()
            // Long enough that the three commits below fall inside it however slow the machine.
            let notifier = CommitNotifier(pool: pool, interval: .seconds(2), logger: database.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await listener.run() }
                defer { group.cancelAll() }
                var iterator = events.makeAsyncIterator()
                #expect(await iterator.next() == .reconnected)
                func payloads(_ count: Int) async -> [String] {
                    var payloads: [String] = []
                    while payloads.count < count, let next = await iterator.next() {
                        if case .notification(let notification) = next { payloads.append(notification.payload) }
                    }
                    return payloads
                }

                notifier.committed([acme])
                #expect(await payloads(1) == ["acme"])
                // Sent one by one, these would be three notifications (PostgreSQL folds duplicates only within one
                // transaction); gathered, acme and globex come once each.
                notifier.committed([acme])
                notifier.committed([globex])
                notifier.committed([acme, globex])
                #expect(await payloads(2).sorted() == ["acme", "globex"])
                notifier.committed([globex])
                #expect(await payloads(1) == ["globex"], "nothing of the earlier commits is notified twice")
            }
        }
    }

    @Test("a notification that cannot be sent is dropped, and the next commit is notified as usual")
    func failedNotification() async throws {
        try await withStore { _, _, database, acme, globex in
            let listener = PGListener(configuration: database.configuration, channels: [EventStore.notificationChannel], logger: database.logger)
            let events = listener.events()
            // A pool of one connection, held by the test until the notifier's lease times out.
            let pool = PGConnectionPool(configuration: database.configuration, maxConnections: 1, leaseTimeout: .milliseconds(200), logger: database.logger)
            let notifier = CommitNotifier(pool: pool, interval: .milliseconds(1), logger: database.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await listener.run() }
                group.addTask { try await pool.run() }
                defer { group.cancelAll() }
                var iterator = events.makeAsyncIterator()
                #expect(await iterator.next() == .reconnected)
                try await pool.withConnection { _ in
                    notifier.committed([acme])
                    while pool.usage.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
                    while pool.usage.waiting > 0 { try await Task.sleep(for: .milliseconds(20)) }
                }
                notifier.committed([globex])
                while let next = await iterator.next() {
                    guard case .notification(let notification) = next else { continue }
                    #expect(notification.payload == "globex", "acme's notification timed out waiting for a connection")
                    break
                }
            }
            await pool.shutdown()
        }
    }
}
