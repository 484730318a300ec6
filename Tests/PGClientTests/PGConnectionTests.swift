import Foundation
import Logging
import PGClient
import PostgresTestSupport
import Testing

@Suite("PGClient against PostgreSQL", .timeLimit(.minutes(5)))
struct PGConnectionTests {
    @Test("decodes every supported type, and NULL into optionals")
    func decodesEveryType() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool { pool in
                let row = try #require(
                    try await pool.withConnection { connection in
                        try await connection.query(
                            """
                            SELECT 'héllo'::text, 42::int8, -7::int4, 9007199254740993::int8, true, 1.5::float8,
                                   'a1b2c3d4-0000-4000-8000-0123456789ab'::uuid, '{"b": [1, 2], "a": null}'::jsonb,
                                   '2026-11-24 10:11:12.345678+02'::timestamptz, '\\xdeadbeef'::bytea,
                                   '18446744073709551615'::xid8,
                                   NULL::text, NULL::int8, NULL::bool, NULL::uuid, NULL::jsonb, NULL::timestamptz, NULL::bytea
                            """
                        ).first
                    })
                let values = try row.decode(
                    (String, Int, Int32, Int64, Bool, Double, UUID, PGJSON, Date, Data, UInt64).self)
                #expect(values.0 == "héllo")
                #expect(values.1 == 42)
                #expect(values.2 == -7)
                #expect(values.3 == 9_007_199_254_740_993)
                #expect(values.4 == true)
                #expect(values.5 == 1.5)
                #expect(values.6 == UUID(uuidString: "A1B2C3D4-0000-4000-8000-0123456789AB"))
                struct Doc: Decodable, Equatable {
                    var a: Int?
                    var b: [Int]
                }
                #expect(try values.7.decode(Doc.self) == Doc(a: nil, b: [1, 2]))
                #expect(values.8 == Date(timeIntervalSince1970: 1_795_507_872.345678))
                #expect(values.9 == Data([0xDE, 0xAD, 0xBE, 0xEF]))
                #expect(values.10 == UInt64.max)
                let nulls = try row.decode(column: 11, as: String?.self)
                #expect(nulls == nil)
                #expect(try row.decode(column: 12, as: Int?.self) == nil)
                #expect(try row.decode(column: 13, as: Bool?.self) == nil)
                #expect(try row.decode(column: 14, as: UUID?.self) == nil)
                #expect(try row.decode(column: 15, as: PGJSON?.self) == nil)
                #expect(try row.decode(column: 16, as: Date?.self) == nil)
                #expect(try row.decode(column: 17, as: Data?.self) == nil)
                #expect(try row.decode(column: 0, as: String?.self) == "héllo")

                let error = try #require(throws: PGError.self) { try row.decode(column: 11, as: String.self) }
                #expect(error.code == .decodingFailed)
            }
        }
    }

    @Test("every bindable type round-trips through a parameter")
    func bindsRoundTrip() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool { pool in
                let date = Date(timeIntervalSince1970: 1_795_000_000.123456)
                let uuid = UUID()
                let data = Data((0...255).map(UInt8.init))
                let json = try PGJSON(encoding: ["key": "va\"lue"])
                let text = "tab\there, quote ' and \" and \\ and emoji 🎉"
                let optional: Int? = nil
                let row = try #require(
                    try await pool.withConnection { connection in
                        try await connection.query(
                            """
                            SELECT \(text)::text, \(Int64.min), \(Int32.max), \(true), \(-0.1), \(uuid), \(json),
                                   \(date), \(data), \(optional)::int8, \(["a", "b,c", "{d}"])::text[] = ARRAY['a', 'b,c', '{d}']
                            """
                        ).first
                    })
                let values = try row.decode((String, Int64, Int32, Bool, Double, UUID, PGJSON, Date, Data, Int?, Bool).self)
                #expect(values.0 == text)
                #expect(values.1 == .min)
                #expect(values.2 == .max)
                #expect(values.3)
                #expect(values.4 == -0.1)
                #expect(values.5 == uuid)
                #expect(try values.6.decode([String: String].self) == ["key": "va\"lue"])
                #expect(abs(values.7.timeIntervalSince(date)) < 0.000_001)
                #expect(values.8 == data)
                #expect(values.9 == nil)
                #expect(values.10)
            }
        }
    }

    @Test("an error keeps SQLSTATE and message, but its description shows no bind values or SQL")
    func errorsDoNotLeakValues() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool { pool in
                let secret = "s3cret-card-4242"
                let error = try await #require(throws: PGError.self) {
                    try await pool.withConnection { try await $0.query("SELECT \(secret)::int4 AS secret_column_sql") }
                }
                #expect(error.code == .queryFailed)
                #expect(error.sqlState == .invalidTextRepresentation)
                #expect(error.message?.contains(secret) == true, "the server's message is kept for debugging")
                #expect(!error.description.contains(secret))
                #expect(!error.description.contains("secret_column_sql"))
                #expect(!"\(error)".contains(secret))

                try await pool.withConnection { connection in
                    try await connection.execute("CREATE TABLE t (id int PRIMARY KEY, email text CONSTRAINT t_email_unique UNIQUE)")
                    try await connection.execute("INSERT INTO t VALUES (1, \("anna@example.com"))")
                }
                let duplicate = try await #require(throws: PGError.self) {
                    try await pool.withConnection { try await $0.execute("INSERT INTO t VALUES (2, \("anna@example.com"))") }
                }
                #expect(duplicate.sqlState == .uniqueViolation)
                #expect(duplicate.constraint == "t_email_unique")
                #expect(duplicate.table == "t")
                #expect(duplicate.detail?.contains("anna@example.com") == true)
                #expect(!duplicate.description.contains("anna@example.com"))
                #expect(duplicate.description.contains("t_email_unique"))
            }
        }
    }

    @Test("a failed connect reports the cause without the password")
    func connectFailureHidesPassword() async throws {
        let pool = PGConnectionPool(
            configuration: PGConfiguration(
                connectionString: "postgresql://accord:hunter2@/accord?host=/nonexistent-accord-socket-dir", connectTimeoutSeconds: 2),
            maxConnections: 1, logger: .init(label: "test"))
        let error = try await #require(throws: PGError.self) {
            try await pool.withConnection { _ in }
        }
        await pool.shutdown()
        #expect(error.code == .connectionFailed)
        #expect(!error.description.contains("hunter2"))
        #expect(!(error.message ?? "").contains("hunter2"))
    }

    @Test("a transaction commits on return and rolls back on throw")
    func transactions() async throws {
        struct Boom: Error {}
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool { pool in
                try await pool.withConnection { try await $0.execute("CREATE TABLE t (n int)") }
                try await pool.withTransaction { try await $0.execute("INSERT INTO t VALUES (1)") }
                await #expect(throws: Boom.self) {
                    try await pool.withTransaction { connection in
                        try await connection.execute("INSERT INTO t VALUES (2)")
                        throw Boom()
                    }
                }
                let values = try await pool.withConnection { try await $0.query("SELECT n FROM t ORDER BY n").decode((Int).self) }
                #expect(values == [1])
            }
        }
    }

    @Test("COPY FROM STDIN round-trips awkward text, NULLs and many rows; COPY TO STDOUT streams them back")
    func copyRoundTrip() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool { pool in
                let awkward: [String?] = ["plain", "tab\there", "new\nline", "back\\slash", "cr\rhere", "\\N literally", nil, "ünïcødé 🎉", ""]
                let stored = try await pool.withConnection { connection in
                    try await connection.execute("CREATE TABLE c (i int8, s text)")
                    return try await connection.copyIn("COPY c (i, s) FROM STDIN") { writer in
                        var batch = PGCopyBatch()
                        for (index, value) in awkward.enumerated() {
                            batch.append(Int64(index))
                            batch.append(value)
                            batch.endRow()
                        }
                        try await writer.write(batch)
                        batch.removeAll()
                        for index in awkward.count..<(awkward.count + 20_000) {
                            batch.appendRow([String(index), "row \(index)"])
                            if batch.bytes.count > 1 << 16 {
                                try await writer.write(batch)
                                batch.removeAll()
                            }
                        }
                        try await writer.write(batch)
                    }
                }
                #expect(stored == awkward.count + 20_000)
                let back = try await pool.withConnection { connection in
                    try await connection.query("SELECT s FROM c WHERE i < \(awkward.count) ORDER BY i").decode((String?).self)
                }
                #expect(back == awkward)
                let counter = ByteCounter()
                let copiedOut = try await pool.withConnection { connection in
                    try await connection.copyOut("COPY (SELECT i, s FROM c ORDER BY i) TO STDOUT") { bytes in counter.add(bytes.count) }
                }
                #expect(copiedOut == awkward.count + 20_000)
                #expect(counter.total > 20_000 * 8)
            }
        }
    }

    @Test("an error inside a COPY aborts it and stores nothing")
    func copyAbort() async throws {
        struct Stop: Error {}
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool { pool in
                try await pool.withConnection { try await $0.execute("CREATE TABLE c (i int8)") }
                await #expect(throws: Stop.self) {
                    try await pool.withConnection { connection in
                        try await connection.copyIn("COPY c (i) FROM STDIN") { writer in
                            var batch = PGCopyBatch()
                            batch.appendRow(["1"])
                            try await writer.write(batch)
                            throw Stop()
                        }
                    }
                }
                let bad = try await #require(throws: PGError.self) {
                    try await pool.withConnection { connection in
                        try await connection.copyIn("COPY c (i) FROM STDIN") { writer in
                            var batch = PGCopyBatch()
                            batch.appendRow(["not a number"])
                            try await writer.write(batch)
                        }
                    }
                }
                #expect(bad.sqlState == .invalidTextRepresentation)
                let count = try await pool.withConnection { try await $0.query("SELECT count(*) FROM c").singleValue(Int.self) }
                #expect(count == 0)
            }
        }
    }

    @Test("cancelling the task cancels the running statement and the connection stays usable")
    func cancellation() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool(maxConnections: 2) { pool in
                let task = Task {
                    try await pool.withConnection { try await $0.execute("SELECT pg_sleep(60) AS accord_cancel_me") }
                }
                // Cancel only once the statement is really running on the server.
                while try await pool.withConnection({ connection in
                    try await connection.query(
                        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%accord_cancel_me%' AND state = 'active' AND pid <> pg_backend_pid()"
                    ).singleValue(Int.self)
                }) == 0 {
                    try await Task.sleep(for: .milliseconds(20))
                }
                task.cancel()
                let error = try await #require(throws: PGError.self) { try await task.value }
                #expect(error.code == .cancelled)
                let one = try await pool.withConnection { try await $0.query("SELECT 1").singleValue(Int.self) }
                #expect(one == 1)
            }
        }
    }

    @Test("one connection serves one task at a time")
    func connectionBusy() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool(maxConnections: 1) { pool in
                try await database.withPool(maxConnections: 1) { observer in
                    try await observer.withConnection { holder in
                        // The statement blocks on an advisory lock the observer holds, so it stays running — however
                        // loaded the machine — until the observer lets it go.
                        let key = Int64.random(in: 1...Int64.max)
                        try await holder.execute("SELECT pg_advisory_lock(\(key))")
                        try await pool.withConnection { connection in
                            async let slow: Int = connection.execute("SELECT pg_advisory_xact_lock(\(key)) AS accord_busy_probe")
                            // Ask only once the statement is really running (waiting for the lock, seen from the observer).
                            while try await holder.query(
                                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%accord_busy_probe%' AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                            ).singleValue(Int.self) == 0 {
                                try await Task.sleep(for: .milliseconds(20))
                            }
                            let error = try await #require(throws: PGError.self) { try await connection.execute("SELECT 1") }
                            #expect(error.code == .connectionBusy)
                            try await holder.execute("SELECT pg_advisory_unlock(\(key))")
                            _ = try await slow
                        }
                    }
                }
            }
        }
    }

    @Test("the pool never opens more than its maximum and serves every task")
    func poolLimit() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool(maxConnections: 3) { pool in
                let backends = try await withThrowingTaskGroup(of: Int32.self) { group in
                    for _ in 0..<30 {
                        group.addTask {
                            try await pool.withConnection { connection in
                                try await connection.query("SELECT pg_backend_pid() FROM pg_sleep(0.02)").singleValue(Int32.self)!
                            }
                        }
                    }
                    var seen = Set<Int32>()
                    for try await pid in group { seen.insert(pid) }
                    return seen
                }
                #expect(backends.count <= 3)
                #expect(backends.count >= 1)
            }
        }
    }

    @Test("a task waiting for a connection can be cancelled")
    func waiterCancellation() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool(maxConnections: 1) { pool in
                try await pool.withConnection { _ in
                    let waiter = Task { try await pool.withConnection { _ in 1 } }
                    try await Task.sleep(for: .milliseconds(100))
                    waiter.cancel()
                    await #expect(throws: CancellationError.self) { try await waiter.value }
                }
                #expect(try await pool.withConnection { _ in 2 } == 2)
            }
        }
    }

    @Test("a connection left inside a transaction is discarded, not reused")
    func leakedTransactionIsDiscarded() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool(maxConnections: 1) { pool in
                let first = try await pool.withConnection { connection in
                    try await connection.execute("BEGIN")
                    return try await connection.query("SELECT pg_backend_pid()").singleValue(Int32.self)
                }
                let second = try await pool.withConnection { connection in
                    try await connection.query("SELECT pg_backend_pid()").singleValue(Int32.self)
                }
                #expect(second != first)
                // The old backend ends once it has read the connection's close, which it does on its own time: under
                // load it may still be listed for a moment. Left open, it would stay idle in its transaction for good.
                var oldBackendAlive = true
                let deadline = ContinuousClock.now.advanced(by: .seconds(30))
                while oldBackendAlive, ContinuousClock.now < deadline {
                    oldBackendAlive = try await pool.withConnection { connection in
                        try await connection.query("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = \(first))").singleValue(Bool.self) ?? true
                    }
                    if oldBackendAlive { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(!oldBackendAlive, "the connection left in a transaction must have been closed")
            }
        }
    }

    @Test("a listener receives notifications and reports (re)connection")
    func listenNotify() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool { pool in
                let listener = PGListener(configuration: database.configuration, channels: ["accord_test"], logger: database.logger)
                let events = listener.events()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await listener.run() }
                    var iterator = events.makeAsyncIterator()
                    #expect(await iterator.next() == .reconnected)
                    try await pool.withTransaction { connection in
                        try await connection.notify("accord_test", payload: "one")
                        try await connection.notify("accord_test", payload: "two")
                    }
                    var payloads: [String] = []
                    while payloads.count < 2, let event = await iterator.next() {
                        if case .notification(let notification) = event {
                            #expect(notification.channel == "accord_test")
                            #expect(notification.backendPID > 0)
                            payloads.append(notification.payload)
                        }
                    }
                    #expect(payloads == ["one", "two"])
                    group.cancelAll()
                }
            }
        }
    }
}

/// Adds up byte counts from the COPY callback (which runs on the connection's thread).
final class ByteCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add(_ count: Int) { lock.withLock { value += count } }
    var total: Int { lock.withLock { value } }
}

@Suite("pipelines", .timeLimit(.minutes(5)))
struct PipelineTests {
    @Test("a pipeline is one implicit transaction: local settings carry over, and a failure undoes every statement")
    func atomic() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool { pool in
                try await pool.withConnection { try await $0.execute("CREATE TABLE p (n int PRIMARY KEY)") }
                let rows = try await pool.withConnection { connection in
                    try await connection.pipeline([
                        "SELECT set_config('accord.test', \("carried"), true)",
                        "INSERT INTO p VALUES (1), (2) RETURNING n",
                        "SELECT current_setting('accord.test')",
                    ])
                }
                #expect(rows.count == 3)
                #expect(try rows[1].decode((Int).self) == [1, 2])
                #expect(try rows[2].singleValue(String.self) == "carried")

                let error = try await #require(throws: PGError.self) {
                    try await pool.withConnection { connection in
                        try await connection.pipeline(["INSERT INTO p VALUES (3)", "INSERT INTO p VALUES (1)", "INSERT INTO p VALUES (4)"])
                    }
                }
                #expect(error.sqlState == .uniqueViolation)
                let (values, setting) = try await pool.withConnection { connection in
                    (
                        try await connection.query("SELECT n FROM p ORDER BY n").decode((Int).self),
                        try await connection.query("SELECT current_setting('accord.test', true)").singleValue(String?.self)
                    )
                }
                #expect(values == [1, 2])
                #expect(setting == nil || setting == "", "the local setting ended with the pipeline's transaction")
            }
        }
    }
}
