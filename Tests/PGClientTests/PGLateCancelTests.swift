import PostgresTestSupport
import Synchronization
import Testing

@testable import PGClient

@Suite("PGClient: a cancel that reaches the server late", .timeLimit(.minutes(2)))
struct PGLateCancelTests {
    /// `PQcancel` is sent from a queue of its own after the task is cancelled; when it lands after its statement has
    /// finished, PostgreSQL cancels whatever the connection runs then — before, the next statement on the connection,
    /// of another task (an initial-sync benchmark died of it now and then: `57014 query_canceled`).
    @Test("a cancel that lands after its statement finished never cancels the connection's next statement, whoever runs it")
    func lateCancelSparesTheNextStatement() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool(maxConnections: 1) { pool in
                for _ in 0..<3 {
                    let first = Task {
                        try await pool.withConnection { connection in
                            // The cancel is sent 150 ms after the task is cancelled: after this statement has finished.
                            connection.testingCancelDelay.store(150_000, ordering: .relaxed)
                            return try await connection.query("SELECT pg_sleep(0.05)").count
                        }
                    }
                    try await Task.sleep(for: .milliseconds(10))
                    first.cancel()
                    _ = try? await first.value
                    // Another task's statement on the same (only) connection runs when the late cancel lands.
                    let value = try await pool.withConnection { try await $0.query("SELECT 1 FROM pg_sleep(0.3)").singleValue(Int.self) }
                    #expect(value == 1)
                }
            }
        }
    }
}
