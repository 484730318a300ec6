import EventStore
import PGClient
import PostgresTestSupport
@testable import SyncEngine
import Testing

/// Waiting for read models (the reactor waits for the match index before it matches).
@Suite("waiting for read models", .timeLimit(.minutes(5)))
struct ProjectionProgressTests {
    /// A projection registered while the question is asked, its runner not having applied anything yet, is behind.
    /// Asked in two statements, a registration that committed between them was counted as caught up (the first saw no
    /// version, the second one): the reactor matched against an empty match index. Each round registers a projection
    /// while the question is asked over and over; asked that way, most rounds counted it as caught up at least once.
    @Test("a projection registered while the question is asked is behind until it has applied the events")
    func registeredMeanwhileIsBehind() async throws {
        try await TestDatabase.with { database in
            try await database.withPool(maxConnections: 4) { pool in
                let progress = ProjectionProgress(store: EventStore(pool: pool, logger: database.logger))
                let checkpoint = Checkpoint(transactionID: 1, globalPosition: 1)
                for round in 0..<40 {
                    let name = "probe_\(round)"
                    let registered = Flag()
                    let caughtUp = try await withThrowingTaskGroup(of: Bool.self) { group in
                        group.addTask {
                            try await Task.sleep(for: .milliseconds(Int.random(in: 5...25)))
                            try await pool.withTransaction(scope: .system) { connection in
                                try await connection.execute(
                                    "INSERT INTO projections (name, version, state, reason, activated_at) VALUES (\(name), 1, 'active', 'initial', now())")
                            }
                            registered.set()
                            return false
                        }
                        group.addTask {
                            var seen = false
                            // Ask until shortly after the registration committed.
                            var after = 0
                            while after < 5 {
                                try Task.checkCancellation()
                                if try await progress.haveReached([name], checkpoint) { seen = true }
                                if registered.isSet { after += 1 }
                            }
                            return seen
                        }
                        return try await group.reduce(false) { $0 || $1 }
                    }
                    #expect(!caughtUp, "round \(round): \(name) counted as caught up without a checkpoint")
                }
                // Once it has a checkpoint at the point asked about, it has reached it.
                try await pool.withTransaction(scope: .system) { connection in
                    try await EventStore(pool: pool, logger: database.logger).saveCheckpoint(
                        checkpoint, projection: "probe_0", version: 1, on: connection)
                }
                #expect(try await progress.haveReached(["probe_0"], checkpoint))
                #expect(try await !progress.haveReached(["probe_0", "probe_1"], checkpoint))
            }
        }
    }
}
