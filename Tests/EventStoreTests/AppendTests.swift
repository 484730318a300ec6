import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Testing

@Suite("appending and reading streams", .timeLimit(.minutes(5)))
struct AppendTests {
    @Test("appends number a stream from 1 and read back in order with metadata")
    func appendAndRead() async throws {
        try await withStore { store, _, _, acme, _ in
            let first = try await store.append([event("A", 1), event("B", 2)], to: "orders-1", of: acme, expecting: .noStream)
            #expect(first.streamVersion == 2)
            #expect(first.globalPositions.count == 2)
            #expect(first.globalPositions[0] < first.globalPositions[1])
            let second = try await store.append([event("C", 3)], to: "orders-1", of: acme, expecting: .exactly(2))
            #expect(second.streamVersion == 3)
            let events = try await store.readStream("orders-1", of: acme)
            #expect(events.map(\.type) == ["A", "B", "C"])
            #expect(events.map(\.streamVersion) == [1, 2, 3])
            #expect(events.allSatisfy { $0.tenant == acme && $0.stream == "orders-1" && $0.schemaVersion == 1 })
            #expect(try events[2].data.decode([String: Int].self) == ["value": 3])
            #expect(try events[0].decodedMetadata().actor == "test")
            let tail = try await store.readStream("orders-1", of: acme, fromVersion: 3)
            #expect(tail.map(\.type) == ["C"])
        }
    }

    @Test("several streams read in one statement, each from its own version on; a stream with nothing there is absent")
    func readStreamsFromVersions() async throws {
        try await withStore { store, pool, _, acme, _ in
            try await store.append([event("A", 1), event("B", 2), event("C", 3)], to: "partners", of: acme, expecting: .noStream)
            try await store.append([event("S", 1)], to: "settings", of: acme, expecting: .noStream)
            let read = try await pool.withTransaction(scope: .tenant(acme)) { connection in
                try await store.readStreams([("partners", 2), ("settings", 2), ("none", 1)], of: acme, on: connection)
            }
            #expect(read["partners"]?.map(\.type) == ["B", "C"])
            #expect(read["partners"]?.map(\.streamVersion) == [2, 3])
            #expect(read["settings"] == nil, "settings has no version 2")
            #expect(read["none"] == nil)
            let all = try await pool.withTransaction(scope: .tenant(acme)) { connection in
                try await store.readStreams([("settings", 1), ("partners", 1)], of: acme, on: connection)
            }
            #expect(all.mapValues { $0.map(\.type) } == ["partners": ["A", "B", "C"], "settings": ["S"]])
        }
    }

    @Test("a stale expected version is a concurrency conflict and writes nothing")
    func staleExpectedVersion() async throws {
        try await withStore { store, _, _, acme, _ in
            try await store.append([event("A")], to: "s", of: acme, expecting: .noStream)
            for wrong in [ExpectedVersion.noStream, .exactly(0), .exactly(2), .exactly(7)] {
                let error = try await #require(throws: EventStoreError.self) {
                    try await store.append([event("X"), event("Y")], to: "s", of: acme, expecting: wrong)
                }
                #expect(error.code == .concurrencyConflict)
                #expect(error.actualVersion == 1)
            }
            #expect(try await store.readStream("s", of: acme).map(\.type) == ["A"])
            try await store.append([event("B")], to: "s", of: acme, expecting: .any)
            #expect(try await store.readStream("s", of: acme).map(\.streamVersion) == [1, 2])
        }
    }

    @Test("two concurrent writers with the same expected version: exactly one wins, nothing of the loser is written")
    func concurrentWriters() async throws {
        try await withStore { store, pool, _, acme, _ in
            try await store.append([event("Start")], to: "race", of: acme, expecting: .noStream)
            // Writer A appends and holds its transaction open; writer B appends with the same expected
            // version and blocks on the stream's unique key until A commits, then fails.
            let aAppended = AsyncStream.makeStream(of: Void.self)
            let release = AsyncStream.makeStream(of: Void.self)
            async let a: AppendResult = pool.withTransaction(scope: .tenant(acme)) { connection in
                let result = try await store.append([event("A1"), event("A2")], to: "race", of: acme, expecting: .exactly(1), on: connection)
                aAppended.continuation.yield()
                for await _ in release.stream { break }
                return result
            }
            for await _ in aAppended.stream { break }
            async let b: Result<AppendResult, any Error> = {
                do {
                    return .success(try await store.append([event("B1"), event("B2"), event("B3")], to: "race", of: acme, expecting: .exactly(1)))
                } catch {
                    return .failure(error)
                }
            }()
            try await Task.sleep(for: .milliseconds(300))  // let B reach the lock (if it does not, it still conflicts below)
            release.continuation.yield()
            let winner = try await a
            let loser = await b
            #expect(winner.streamVersion == 3)
            guard case .failure(let error as EventStoreError) = loser else {
                Issue.record("the second writer should have failed, got \(loser)")
                return
            }
            #expect(error.code == .concurrencyConflict)
            #expect(error.underlying?.sqlState == .uniqueViolation || error.actualVersion == 3)
            #expect(try await store.readStream("race", of: acme).map(\.type) == ["Start", "A1", "A2"])
        }
    }

    @Test("many concurrent writers to one stream with .any all succeed, with gapless versions")
    func concurrentAny() async throws {
        try await withStore(maxConnections: 8) { store, _, _, acme, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for index in 0..<10 { try await store.append([event("E", writer * 100 + index)], to: "hot", of: acme, expecting: .any) }
                    }
                }
                try await group.waitForAll()
            }
            let versions = try await store.readStream("hot", of: acme).map(\.streamVersion)
            #expect(versions == Array(1...80))
        }
    }

    @Test("a rolled-back transaction leaves nothing behind")
    func rollback() async throws {
        struct Abort: Error {}
        try await withStore { store, pool, _, acme, _ throws in
            await #expect(throws: Abort.self) {
                try await pool.withTransaction(scope: .tenant(acme)) { connection in
                    try await store.append([event("A")], to: "one", of: acme, expecting: .noStream, on: connection)
                    try await store.append([event("B")], to: "two", of: acme, expecting: .noStream, on: connection)
                    throw Abort()
                }
            }
            #expect(try await store.readStream("one", of: acme).isEmpty)
            #expect(try await store.readStream("two", of: acme).isEmpty)
            #expect(try await store.readForward(after: .origin, limit: 10).isEmpty)
        }
    }

    @Test("appending for a tenant that does not exist is a clear error")
    func unknownTenant() async throws {
        try await withStore { store, _, _, _, _ in
            let error = try await #require(throws: EventStoreError.self) {
                try await store.append([event("A")], to: "s", of: try TenantID("nobody"), expecting: .any)
            }
            #expect(error.code == .unknownTenant)
            #expect(error.description.contains("nobody"))
        }
    }

    @Test("invalid tenant and stream ids are refused before any SQL")
    func invalidIDs() {
        #expect(throws: EventStoreError.self) { try TenantID("Acme Corp") }
        #expect(throws: EventStoreError.self) { try TenantID("") }
        #expect(throws: EventStoreError.self) { try TenantID("-x") }
        let empty = ""
        #expect(throws: EventStoreError.self) { try StreamID(empty) }
        #expect(throws: EventStoreError.self) { try StreamID(String(repeating: "x", count: 501)) }
        #expect(throws: Never.self) { try TenantID("acme-1_b") }
    }

    @Test("the events table refuses updates and deletes")
    func appendOnly() async throws {
        try await withStore { store, pool, _, acme, _ in
            try await store.append([event("A")], to: "s", of: acme, expecting: .noStream)
            for statement: PGQuery in ["UPDATE events SET type = 'B'", "DELETE FROM events", "TRUNCATE events CASCADE"] {
                let error = try await #require(throws: PGError.self) {
                    try await pool.withConnection { try await $0.execute(statement) }
                }
                #expect(error.sqlState == SQLState(rawValue: "23001"))
            }
        }
    }
}

@Suite("atomic appends and notifications", .timeLimit(.minutes(5)))
struct AtomicAppendTests {
    @Test("appends to several streams are all or nothing: one stale version writes none of them")
    func allOrNothing() async throws {
        try await withStore { store, _, _, acme, _ in
            try await store.append([event("Existing")], to: "two", of: acme, expecting: .noStream)
            let error = try await #require(throws: EventStoreError.self) {
                try await store.append(
                    [
                        StreamAppend(stream: "one", expecting: .noStream, events: [event("A")]),
                        StreamAppend(stream: "two", expecting: .noStream, events: [event("B")]),
                    ], of: acme)
            }
            #expect(error.code == .concurrencyConflict)
            #expect(error.stream == "two")
            #expect(error.actualVersion == 1)
            #expect(try await store.readStream("one", of: acme).isEmpty)

            let results = try await store.append(
                [
                    StreamAppend(stream: "one", expecting: .noStream, events: [event("A"), event("A2")]),
                    StreamAppend(stream: "two", expecting: .exactly(1), events: [event("B")]),
                    StreamAppend(stream: "three", expecting: .any, events: []),
                ], of: acme)
            #expect(results.map(\.streamVersion) == [2, 2, 0])
            #expect(try await store.readStream("two", of: acme).map(\.type) == ["Existing", "B"])
        }
    }

    @Test("many streams in one append (one statement): versions and positions per stream; a race on one of them names it")
    func manyStreams() async throws {
        try await withStore { store, pool, _, acme, _ in
            for index in 0..<50 where index % 2 == 0 {
                try await store.append([event("Old")], to: try StreamID("c-\(index)"), of: acme, expecting: .noStream)
            }
            let appends = try (0..<50).map { index in
                StreamAppend(
                    stream: try StreamID("c-\(index)"), expecting: index % 2 == 0 ? .exactly(1) : .noStream,
                    events: (0...(index % 3)).map { event("New", index * 10 + $0) })
            }
            let results = try await store.append(appends + [StreamAppend(stream: "log", expecting: .any, events: [event("Log")])], of: acme)
            #expect(results.count == 51)
            for (index, result) in results.prefix(50).enumerated() {
                #expect(result.streamVersion == Int64((index % 2 == 0 ? 1 : 0) + index % 3 + 1))
                #expect(result.globalPositions.count == index % 3 + 1)
                #expect(result.globalPositions == result.globalPositions.sorted())
                let read = try await store.readStream(try StreamID("c-\(index)"), of: acme)
                #expect(try read.suffix(index % 3 + 1).map { try $0.data.decode([String: Int].self)["value"] } == (0...(index % 3)).map { index * 10 + $0 })
                #expect(read.suffix(index % 3 + 1).map(\.globalPosition) == result.globalPositions)
            }

            // Writer A holds version 3 of c-7 in an open transaction; B's multi-stream append then waits for it and loses.
            let aAppended = AsyncStream.makeStream(of: Void.self)
            let release = AsyncStream.makeStream(of: Void.self)
            async let a: AppendResult = pool.withTransaction(scope: .tenant(acme)) { connection in
                let result = try await store.append([event("A")], to: "c-7", of: acme, expecting: .exactly(2), on: connection)
                aAppended.continuation.yield()
                for await _ in release.stream { break }
                return result
            }
            for await _ in aAppended.stream { break }
            async let b: Result<[AppendResult], any Error> = {
                do {
                    return .success(
                        try await store.append(
                            [
                                StreamAppend(stream: "c-6", expecting: .exactly(2), events: [event("B")]),
                                StreamAppend(stream: "c-7", expecting: .exactly(2), events: [event("B")]),
                            ], of: acme))
                } catch {
                    return .failure(error)
                }
            }()
            try await Task.sleep(for: .milliseconds(300))
            release.continuation.yield()
            #expect(try await a.streamVersion == 3)
            guard case .failure(let error as EventStoreError) = await b else {
                Issue.record("the second writer should have failed")
                return
            }
            #expect(error.code == .concurrencyConflict)
            #expect(error.stream == "c-7")
            #expect(error.actualVersion == 3)
            #expect(try await store.readStream("c-6", of: acme).count == 2, "nothing of the losing append was written")
        }
    }

    @Test("both append paths notify subscribers with the tenant id: ours after commit, others from the trigger")
    func notifications() async throws {
        try await withStore { store, pool, database, acme, globex in
            let listener = PGListener(configuration: database.configuration, channels: [EventStore.notificationChannel], logger: database.logger)
            let events = listener.events()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await listener.run() }
                var iterator = events.makeAsyncIterator()
                #expect(await iterator.next() == .reconnected)
                try await store.append([event("A")], to: "s", of: acme, expecting: .noStream)
                try await pool.withTransaction(scope: .tenant(globex)) { connection in
                    try await store.append([event("G")], to: "s", of: globex, expecting: .noStream, on: connection)
                }
                var payloads: [String] = []
                while payloads.count < 2, let next = await iterator.next() {
                    if case .notification(let notification) = next { payloads.append(notification.payload) }
                }
                #expect(payloads.sorted() == ["acme", "globex"], "the two paths notify independently, in either order")
                group.cancelAll()
            }
        }
    }
}
