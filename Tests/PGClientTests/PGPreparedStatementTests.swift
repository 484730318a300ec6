import PGClient
import PostgresTestSupport
import Testing

/// A connection prepares the statements it runs again (``PGConnection`` and its prepared statements): the answers must be
/// exactly those of unnamed statements — per role and tenant under row-level security, after the tables change, after
/// failures and rollbacks.
@Suite("PGClient's prepared statements against PostgreSQL", .timeLimit(.minutes(5)))
struct PGPreparedStatementTests {
    /// The names this session has prepared, with their statements' text.
    private static func prepared(on connection: PGConnection) async throws -> [String] {
        try await connection.query("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'accord\\_%'").decode(String.self)
    }

    @Test("a statement is prepared when it runs again, and its later runs answer for their own values")
    func preparedOnSecondRun() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool(maxConnections: 1) { pool in
                try await pool.withConnection { connection in
                    try await connection.execute("CREATE TABLE t (n int8 PRIMARY KEY, label text)")
                    try await connection.execute("INSERT INTO t SELECT n, 'n' || n FROM generate_series(1, 50) AS n")
                    #expect(try await Self.prepared(on: connection).isEmpty)
                    for n in 1...20 {
                        let label = try await connection.query("SELECT label FROM t WHERE n = \(n)").singleValue(String.self)
                        #expect(label == "n\(n)")
                    }
                    let statements = try await Self.prepared(on: connection)
                    #expect(statements.contains("SELECT label FROM t WHERE n = $1"))
                    // Statements without parameters are never prepared; nor is one seen only once.
                    _ = try await connection.query("SELECT count(*) FROM t")
                    _ = try await connection.query("SELECT count(*) FROM t")
                    _ = try await connection.query("SELECT n FROM t WHERE label = \("n3")")
                    #expect(try await Self.prepared(on: connection).count == statements.count)
                }
            }
        }
    }

    @Test("a connection that has prepared as many statements as it keeps starts over, and keeps answering right")
    func startsOverWhenFull() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool(maxConnections: 1) { pool in
                try await pool.withConnection { connection in
                    // 300 statements, each run twice (prepared on its second run): more than the 256 a connection keeps.
                    for index in 0..<300 {
                        for run in 0..<2 {
                            let query: PGQuery = "SELECT \(index * 10 + run)::int8 AS \(unsafeRaw: "n\(index)")"
                            #expect(try await connection.query(query).singleValue(Int.self) == index * 10 + run)
                        }
                    }
                    let prepared = try await Self.prepared(on: connection)
                    #expect(!prepared.isEmpty && prepared.count <= 256, "\(prepared.count) prepared")
                    let newestPrepared = prepared.contains("SELECT $1::int8 AS n299")
                    #expect(newestPrepared, "the newest statement is prepared")
                }
            }
        }
    }

    @Test("under row-level security a prepared statement answers for the role and tenant of each run, alone and in a pipeline")
    func rowLevelSecurityPerRun() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool { admin in
                try await admin.withConnection { connection in
                    try await connection.executeScript(
                        unsafeSQL: """
                            CREATE TABLE secrets (id int8 PRIMARY KEY, tenant text NOT NULL);
                            ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
                            CREATE POLICY by_tenant ON secrets USING (tenant = current_setting('test.tenant', true));
                            GRANT SELECT ON secrets TO accord_tenant, accord_system;
                            INSERT INTO secrets VALUES (1, 'a'), (2, 'b'), (3, 'a'), (4, 'b'), (5, 'c');
                            """)
                }
            }
            try await database.withPool(maxConnections: 1, as: .runtime) { pool in
                for run in 0..<24 {
                    let tenant = ["a", "b", "c"][run % 3]
                    let role = run % 4 == 3 ? "accord_system" : "accord_tenant"
                    let expected: [Int] =
                        role == "accord_system" ? [1, 2, 3, 4, 5] : ["a": [1, 3], "b": [2, 4], "c": [5]][tenant]!
                    let scope: [PGQuery] = ["SELECT set_config('role', \(role), true)", "SELECT set_config('test.tenant', \(tenant), true)"]
                    let select: PGQuery = "SELECT id FROM secrets WHERE id > \(0) ORDER BY id"
                    let alone = try await pool.withConnection { connection in
                        try await connection.withTransaction(prelude: scope) { try await $0.query(select).decode(Int.self) }
                    }
                    #expect(alone == expected, "run \(run): \(role), tenant \(tenant), alone")
                    let piped = try await pool.withConnection { try await $0.pipeline(scope + [select]) }
                    #expect(try piped[2].decode(Int.self) == expected, "run \(run): \(role), tenant \(tenant), in a pipeline")
                }
                let statements = try await pool.withConnection { try await Self.prepared(on: $0) }
                #expect(statements.contains("SELECT id FROM secrets WHERE id > $1 ORDER BY id"))
            }
        }
    }

    @Test("a table whose columns change under a prepared statement is read as it is now")
    func tableChangesUnderIt() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool(maxConnections: 1) { pool in
                try await pool.withConnection { connection in
                    try await connection.execute("CREATE TABLE t (n int8, a text)")
                    try await connection.execute("INSERT INTO t VALUES (1, 'one')")
                    let select: PGQuery = "SELECT * FROM t WHERE n = \(1)"
                    for _ in 0..<3 {
                        let row = try #require(try await connection.query(select).first).decode((Int, String).self)
                        #expect(row.0 == 1 && row.1 == "one")
                    }
                    try await connection.execute("ALTER TABLE t ADD COLUMN b text DEFAULT 'added'")
                    // A changed result type: refused as prepared, answered unnamed, prepared afresh for the next runs.
                    for _ in 0..<3 {
                        let row = try #require(try await connection.query(select).first).decode((Int, String, String).self)
                        #expect(row.0 == 1 && row.1 == "one" && row.2 == "added")
                    }
                    try await connection.execute("DROP TABLE t")
                    try await connection.execute("CREATE TABLE t (n int8, a text)")
                    try await connection.execute("INSERT INTO t VALUES (1, 'again')")
                    let row = try #require(try await connection.query(select).first).decode((Int, String).self)
                    #expect(row.0 == 1 && row.1 == "again")
                }
            }
        }
    }

    @Test("a failing prepare fails as the statement would, leaves nothing prepared, and a later run succeeds")
    func failingPrepare() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.withPool(maxConnections: 1) { pool in
                try await pool.withConnection { connection in
                    let select: PGQuery = "SELECT n FROM later WHERE n = \(1)"
                    for _ in 0..<3 {
                        let error = await #expect(throws: PGError.self) { try await connection.query(select) }
                        #expect(error?.sqlState == .undefinedTable)
                    }
                    // In a pipeline, the failing statement is named by its index, and the group is rolled back.
                    try await connection.execute("CREATE TABLE log (n int8)")
                    for _ in 0..<3 {
                        let outcome = try await connection.pipeline(transactions: [["INSERT INTO log VALUES (\(1))", select]])
                        guard case .failure(let failure) = outcome[0] else {
                            Issue.record("the group should have failed")
                            continue
                        }
                        #expect(failure.statementIndex == 1)
                        #expect(failure.error.sqlState == .undefinedTable)
                    }
                    #expect(try await connection.query("SELECT count(*) FROM log").singleValue(Int.self) == 0)
                    // A prepare inside a transaction that rolls back stays prepared: the session keeps it.
                    try await connection.execute("CREATE TABLE later (n int8)")
                    try await connection.execute("INSERT INTO later VALUES (1)")
                    struct Undo: Error {}
                    await #expect(throws: Undo.self) {
                        try await connection.withTransaction { connection in
                            #expect(try await connection.query(select).decode(Int.self) == [1])
                            throw Undo()
                        }
                    }
                    #expect(try await connection.query(select).decode(Int.self) == [1])
                    #expect(try await Self.prepared(on: connection).contains("SELECT n FROM later WHERE n = $1"))
                }
            }
        }
    }
}
