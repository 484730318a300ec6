import PGClient
import Synchronization
import Testing

@testable import EventStore

/// The combiner's queueing without a database: the transaction is a closure that records which units rode in it
/// and holds the first ones open until the test lets them go, so what waits meanwhile is known, not timed.
@Suite("append combiner", .timeLimit(.minutes(1)))
struct AppendCombinerTests {
    /// A run that records each transaction's streams, answers every unit with its stream's number as the version
    /// (or fails units whose stream starts with `fail`), and holds the first two transactions until `release()`.
    final class Recorder: Sendable {
        let transactions = Mutex<[[String]]>([])
        let releases = [AsyncStream.makeStream(of: Void.self), AsyncStream.makeStream(of: Void.self)]

        /// Lets the held transactions go on.
        func release() {
            for release in releases { release.continuation.yield() }
        }

        func run(_ units: [AppendUnit]) async -> [Result<[AppendResult], any Error>] {
            let number = transactions.withLock { transactions in
                transactions.append(units.map { $0.appends[0].stream.rawValue })
                return transactions.count
            }
            if number <= releases.count {
                for await _ in releases[number - 1].stream { break }
            }
            return units.map { unit in
                let name = unit.appends[0].stream.rawValue
                if name.hasPrefix("fail") {
                    return .failure(EventStoreError(code: .concurrencyConflict, message: "stale", stream: unit.appends[0].stream))
                }
                return .success([AppendResult(streamVersion: Int64(name.dropFirst(1))!, globalPositions: [])])
            }
        }
    }

    static func unit(_ stream: String) throws -> AppendUnit {
        AppendUnit(tenant: try TenantID("acme"), appends: [StreamAppend(stream: try StreamID(stream), expecting: .noStream, events: [])])
    }

    /// Waits until `count` appends queue behind the running transactions (no clock: they either queue or the test
    /// times out).
    static func waitUntil(_ combiner: AppendCombiner, queues count: Int) async {
        while combiner.waitingCount < count { await Task.yield() }
    }

    /// Waits until the recorder has seen `count` transactions.
    static func waitUntil(_ recorder: Recorder, runs count: Int) async {
        while recorder.transactions.withLock({ $0.count }) < count { await Task.yield() }
    }

    @Test("appends that arrive while transactions run go together in the next one, each with its own result")
    func waitingAppendsShareTheNextTransaction() async throws {
        let recorder = Recorder()
        let combiner = AppendCombiner(maxUnits: 100) { await recorder.run($0) }
        try await withThrowingTaskGroup(of: (String, Result<Int64, EventStoreError>).self) { group in
            for name in ["s1", "s2", "s3", "fail4", "s5", "s6", "s7"] {
                group.addTask {
                    do {
                        return (name, .success(try await combiner.submit(try Self.unit(name))[0].streamVersion))
                    } catch let error as EventStoreError {
                        return (name, .failure(error))
                    }
                }
                // s1 runs alone; s2 queues and the flusher takes it alone; both are held. The rest queue behind them.
                if name == "s1" { await Self.waitUntil(recorder, runs: 1) }
                if name == "s2" { await Self.waitUntil(recorder, runs: 2) }
            }
            await Self.waitUntil(combiner, queues: 5)
            recorder.release()
            var results: [String: Result<Int64, EventStoreError>] = [:]
            for try await (name, result) in group { results[name] = result }
            #expect(try results["s1"]?.get() == 1)
            #expect(try results["s7"]?.get() == 7)
            #expect(results.values.filter { (try? $0.get()) != nil }.count == 6)
            guard case .failure(let error) = results["fail4"] else {
                Issue.record("the stale unit should have failed alone")
                return
            }
            #expect(error.code == .concurrencyConflict)
        }
        let transactions = recorder.transactions.withLock { $0 }
        #expect(transactions.count == 3)
        #expect(transactions.prefix(2) == [["s1"], ["s2"]])
        #expect(Set(transactions.last ?? []) == ["s3", "fail4", "s5", "s6", "s7"])
        #expect(combiner.waitingCount == 0)
    }

    @Test("a transaction takes at most maxUnits appends; the rest go in the following ones")
    func cappedTransactions() async throws {
        let recorder = Recorder()
        let combiner = AppendCombiner(maxUnits: 2) { await recorder.run($0) }
        try await withThrowingTaskGroup(of: Int64.self) { group in
            group.addTask { try await combiner.submit(try Self.unit("s1"))[0].streamVersion }
            await Self.waitUntil(recorder, runs: 1)
            group.addTask { try await combiner.submit(try Self.unit("s2"))[0].streamVersion }
            await Self.waitUntil(recorder, runs: 2)
            for index in 3...7 {
                group.addTask { try await combiner.submit(try Self.unit("s\(index)"))[0].streamVersion }
            }
            await Self.waitUntil(combiner, queues: 5)
            recorder.release()
            var versions: [Int64] = []
            for try await version in group { versions.append(version) }
            #expect(versions.sorted() == [1, 2, 3, 4, 5, 6, 7])
        }
        let sizes = recorder.transactions.withLock { $0.map(\.count) }
        #expect(sizes == [1, 1, 2, 2, 1])
    }

    @Test("a lone append runs at once, in its own transaction, with nothing shared")
    func loneAppend() async throws {
        let recorder = Recorder()
        let combiner = AppendCombiner(maxUnits: 100) { await recorder.run($0) }
        recorder.release()
        #expect(try await combiner.submit(try Self.unit("s1"))[0].streamVersion == 1)
        #expect(try await combiner.submit(try Self.unit("s2"))[0].streamVersion == 2)
        #expect(recorder.transactions.withLock { $0 } == [["s1"], ["s2"]])
    }

    @Test("with two flushers, an append that queues while the first flusher's transaction runs starts the second")
    func secondFlusher() async throws {
        let recorder = Recorder()
        let combiner = AppendCombiner(maxUnits: 100, flushers: 2) { await recorder.run($0) }
        try await withThrowingTaskGroup(of: Int64.self) { group in
            group.addTask { try await combiner.submit(try Self.unit("s1"))[0].streamVersion }
            await Self.waitUntil(recorder, runs: 1)
            group.addTask { try await combiner.submit(try Self.unit("s2"))[0].streamVersion }
            await Self.waitUntil(recorder, runs: 2)
            // s1 (alone) and s2 (the first flusher) are held: a second flusher answers s3 all the same.
            #expect(try await combiner.submit(try Self.unit("s3"))[0].streamVersion == 3)
            recorder.release()
            var versions: [Int64] = []
            for try await version in group { versions.append(version) }
            #expect(versions.sorted() == [1, 2])
        }
        #expect(recorder.transactions.withLock { $0 } == [["s1"], ["s2"], ["s3"]])
    }
}
