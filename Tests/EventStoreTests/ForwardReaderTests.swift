import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Synchronization
import Testing

@Suite("reading forward without gaps", .timeLimit(.minutes(5)))
struct ForwardReaderTests {
    @Test("an event that commits late is never skipped: the reader waits for it, then returns both in order")
    func orderingGap() async throws {
        try await withStore { store, pool, _, acme, _ in
            let aAppended = AsyncStream.makeStream(of: Int64.self)
            let commitA = AsyncStream.makeStream(of: Void.self)
            // Transaction A appends first (it gets the older txid and the lower position) and stays open.
            async let a: Void = pool.withTransaction(scope: .tenant(acme)) { connection in
                let result = try await store.append([event("A")], to: "a", of: acme, expecting: .noStream, on: connection)
                aAppended.continuation.yield(result.globalPositions[0])
                for await _ in commitA.stream { break }
            }
            var positions = aAppended.stream.makeAsyncIterator()
            let aPosition = try #require(await positions.next())
            // Transaction B appends later and commits first.
            let b = try await store.append([event("B")], to: "b", of: acme, expecting: .noStream)
            #expect(b.globalPositions[0] > aPosition)

            // A naive `global_position > checkpoint` reader would now return B and move past A forever.
            let naive = try await pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT type FROM events WHERE global_position > 0 ORDER BY global_position").decode((String).self)
            }
            #expect(naive == ["B"])
            // The watermark reader returns nothing past A's position while A is open.
            let whileOpen = try await store.readForward(after: .origin, limit: 100)
            #expect(whileOpen.isEmpty)

            commitA.continuation.yield()
            try await a
            let afterCommit = try await readForward(store, atLeast: 2)
            try #require(afterCommit.map(\.type) == ["A", "B"])
            #expect(afterCommit[0].checkpoint < afterCommit[1].checkpoint)
        }
    }

    @Test("reads in batches from a checkpoint, in (txid, position) order, and filters by tenant")
    func batches() async throws {
        try await withStore { store, _, _, acme, globex in
            for index in 0..<25 {
                try await store.append([event("E", index)], to: try StreamID("s\(index % 3)"), of: index % 2 == 0 ? acme : globex, expecting: .any)
            }
            _ = try await readForward(store, atLeast: 25)
            var checkpoint = Checkpoint.origin
            var seen: [Int] = []
            while true {
                let batch = try await store.readForward(after: checkpoint, limit: 7)
                guard let last = batch.last else { break }
                #expect(batch.count <= 7)
                seen += try batch.map { try $0.data.decode([String: Int].self)["value"]! }
                checkpoint = last.checkpoint
            }
            #expect(seen == Array(0..<25))
            let acmeOnly = try await readForward(store, atLeast: 13, tenant: acme)
            #expect(acmeOnly.count == 13)
            #expect(acmeOnly.allSatisfy { $0.tenant == acme })
        }
    }

    @Test("checkpoints are saved in the caller's transaction, roll back with it, and never move back")
    func checkpoints() async throws {
        struct Abort: Error {}
        try await withStore { store, pool, _, acme, _ in
            try await store.append([event("A"), event("B")], to: "s", of: acme, expecting: .noStream)
            let events = try await readForward(store, atLeast: 2)
            try #require(events.count == 2)
            try await pool.withTransaction(scope: .system) { connection in
                #expect(try await store.loadCheckpoint(projection: "p", version: 1, lock: true, on: connection) == .origin)
                try await store.saveCheckpoint(events[1].checkpoint, projection: "p", version: 1, on: connection)
            }
            await #expect(throws: Abort.self) {
                try await pool.withTransaction(scope: .system) { connection in
                    try await store.saveCheckpoint(
                        Checkpoint(transactionID: .max >> 1, globalPosition: 999), projection: "p", version: 1, on: connection)
                    throw Abort()
                }
            }
            try await pool.withTransaction(scope: .system) { connection in
                try await store.saveCheckpoint(events[0].checkpoint, projection: "p", version: 1, on: connection)
                #expect(try await store.loadCheckpoint(projection: "p", version: 1, on: connection) == events[1].checkpoint)
                #expect(try await store.loadCheckpoint(projection: "p", version: 2, on: connection) == .origin)
            }
        }
    }

    @Test("a NOTIFY wakes a waiting follower long before its poll interval", arguments: 0..<4)
    func notifyWakesFollower(run: Int) async throws {
        try await withStore { store, _, database, acme, _ in
            try await withFollower(database) { listener, follower in
                let seen = SeenEvents()
                _ = listener.addObserver { seen.add("\($0)") }
                try await store.append([event("First")], to: "s", of: acme, expecting: .noStream)
                let received = try await withThrowingTaskGroup(of: [String].self) { inner in
                    inner.addTask { await follow(store, with: follower, until: 2) }
                    inner.addTask {
                        try await Task.sleep(for: .milliseconds(500))  // the follower is now waiting
                        try await store.append([event("Second")], to: "s", of: acme, expecting: .exactly(1))
                        try await Task.sleep(for: .seconds(60))
                        let visible = try await store.readForward(after: .origin, limit: 10).map(\.type)
                        Issue.record("not woken: listener saw \(seen.count) events (\(seen.all)); visible now: \(visible)")
                        throw CancellationError()
                    }
                    let result = try await inner.next()!
                    inner.cancelAll()
                    return result
                }
                #expect(received == ["First", "Second"])
            }
        }
    }

    @Test("a NOTIFY of an event still behind the watermark is followed by re-reads until the event passes it")
    func rereadsBehindTheWatermark() async throws {
        try await withStore { store, pool, database, acme, _ in
            try await withFollower(database) { _, follower in
                let holding = AsyncStream.makeStream(of: Void.self)
                let release = AsyncStream.makeStream(of: Void.self)
                // An older transaction holds the watermark back; it ends without notifying anyone.
                async let older: Void = pool.withTransaction(scope: .system) { connection in
                    _ = try await connection.query("SELECT pg_current_xact_id()")
                    holding.continuation.yield()
                    for await _ in release.stream { break }
                }
                for await _ in holding.stream { break }
                let received = try await withThrowingTaskGroup(of: [String].self) { inner in
                    inner.addTask { await follow(store, with: follower, until: 1) }
                    inner.addTask {
                        try await Task.sleep(for: .milliseconds(500))  // the follower is now waiting
                        // Committed and notified, but not readable: its transaction is newer than the open one.
                        try await store.append([event("Late")], to: "s", of: acme, expecting: .noStream)
                        #expect(try await store.readForward(after: .origin, limit: 10).isEmpty)
                        try await Task.sleep(for: .milliseconds(500))  // the follower woke and found nothing
                        release.continuation.yield()
                        try await Task.sleep(for: .seconds(60))
                        Issue.record("the follower did not re-read after the watermark passed the event")
                        throw CancellationError()
                    }
                    let result = try await inner.next()!
                    inner.cancelAll()
                    return result
                }
                try await older
                #expect(received == ["Late"])
            }
        }
    }
}

/// Follows the log from the start with `follower`, keeping the checkpoint in memory, until `count` events were read.
private func follow(_ store: EventStore, with follower: Follower, until count: Int) async -> [String] {
    let types = Mutex<[String]>([])
    let checkpoint = Mutex(Checkpoint.origin)
    await follower.run(while: { types.withLock { $0.count < count } }) {
        let batch = try await store.readForward(after: checkpoint.withLock { $0 }, limit: 500)
        guard let last = batch.last else { return .idle() }
        checkpoint.withLock { $0 = last.checkpoint }
        types.withLock { $0 += batch.map(\.type) }
        return .worked
    }
    return types.withLock { $0 }
}

final class SeenEvents: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String] = []
    func add(_ event: String) { lock.withLock { events.append(event) } }
    var count: Int { lock.withLock { events.count } }
    var all: String { lock.withLock { events.joined(separator: "; ") } }
}
