import ArgumentParser
import EventStore
import Foundation
import Logging
import PGClient

/// Appends: single events with an expected version (1 and N writers) against a raw single-row INSERT-and-commit
/// loop (same clients, rows, indexes and client library), and batches against a raw `COPY` of the same rows.
struct AppendBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append", abstract: "Measure the event store's append path against a raw COPY of the same rows.")

    @Option(name: .customLong("database-url"), help: "A fresh database (ops/bench/append.sh makes one).")
    var databaseURL: String

    @Option(help: "Single-event appends per writer and round.")
    var singleAppends = 1_000

    @Option(help: "Rounds of the single-event runs (each runs the raw loop and every alternative once).")
    var rounds = 3

    @Option(help: "Concurrent writers for the multi-writer run.")
    var writers = 8

    @Option(help: "Events in the batched run and in the COPY baseline.")
    var events = 100_000

    @Option(help: "Events per batched append.")
    var batchSize = 1_000

    func run() async throws {
        var logger = Logger(label: "accord.bench")
        logger.logLevel = .warning
        let (pool, tenant) = try await prepareDatabase(url: databaseURL, logger: logger, maxConnections: max(writers, 2))
        let store = EventStore(pool: pool, logger: logger)
        let alternatives: [(String, EventStore)] = [
            ("one transaction each", EventStore(pool: pool, logger: logger, commitSharing: .off)),
            ("shared commits, 1 flusher (standard)", store),
            ("shared commits, 2 flushers", EventStore(pool: pool, logger: logger, commitSharing: .on(flushers: 2))),
        ]
        print("Accord append benchmark — \(try await serverSettings(pool))")
        print("payload: \(Self.payload(0).data.text.utf8.count) bytes of JSON per event, metadata \(Self.payload(0).metadata.actor ?? "")")

        // Warm up connections, plans and caches.
        for (number, (_, alternative)) in alternatives.enumerated() {
            for index in 0..<200 {
                try await alternative.append(
                    [Self.payload(index)], to: try StreamID("warmup-\(number)"), of: tenant,
                    expecting: index == 0 ? .noStream : .exactly(Int64(index)))
            }
        }

        // What a statement costs without a commit: the client's hops and one round trip.
        let (_, roundTrips) = try await measure {
            for _ in 0..<singleAppends {
                try await pool.withConnection { connection in try await connection.execute("SELECT 1") }
            }
        }
        report(
            "round trip through PGClient (SELECT 1, no commit)", rate(singleAppends, roundTrips), "/s",
            String(format: "%.0f µs each", roundTrips.seconds * 1e6 / Double(singleAppends)))

        // Rounds alternate the raw loop and each alternative, so that a neighbour's build slowing the machine for a
        // while weighs on all of them alike.
        try await createInsertBaseline(pool: pool)
        for clients in [1, writers] {
            var rawTime = Duration.zero
            var times = Array(repeating: Duration.zero, count: alternatives.count)
            for _ in 0..<rounds {
                rawTime += try await rawInserts(pool: pool, tenant: tenant, clients: clients).1
                for (index, (_, alternative)) in alternatives.enumerated() {
                    times[index] += try await singleEventAppends(store: alternative, tenant: tenant, writers: clients).1
                }
            }
            let count = clients * singleAppends * rounds
            report("raw single-row INSERT-and-commit, \(clients) clients", rate(count, rawTime), "rows/s", "\(count) rows in \(seconds(rawTime))")
            for (index, (label, _)) in alternatives.enumerated() {
                report(
                    "single-event appends, \(label), \(clients) writers", rate(count, times[index]), "appends/s",
                    String(format: "%.2f× raw", rawTime.seconds / times[index].seconds))
            }
        }

        let batches = (0..<(events / batchSize)).map { batch in (0..<batchSize).map { Self.payload(batch * batchSize + $0) } }
        let (_, batchedTime) = try await measure {
            for (index, batch) in batches.enumerated() {
                try await store.append(batch, to: try StreamID("batch-\(index)"), of: tenant, expecting: .noStream)
            }
        }
        report(
            "batched appends, \(events) events in batches of \(batchSize)", rate(events, batchedTime), "events/s",
            "\(events) events in \(seconds(batchedTime))")

        let copyTime = try await copyBaseline(pool: pool, tenant: tenant, batches: batches)
        report(
            "raw COPY of the same \(events) rows into an identical table", rate(events, copyTime), "events/s",
            "\(events) events in \(seconds(copyTime))")
        report("ratio batched / COPY", String(format: "%.2f", copyTime.seconds / batchedTime.seconds), "", "batched append rate / COPY rate")
        await pool.shutdown()
    }

    /// Each writer appends one event at a time to its own stream, passing the version it expects.
    private func singleEventAppends(store: EventStore, tenant: TenantID, writers: Int) async throws -> (Int, Duration) {
        let run = UUID().uuidString.prefix(8)
        let appends = singleAppends
        let (_, duration) = try await measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        let stream = try StreamID("single-\(run)-\(writers)-\(writer)")
                        var version: Int64 = 0
                        for index in 0..<appends {
                            let result = try await store.append(
                                [Self.payload(index)], to: stream, of: tenant, expecting: version == 0 ? .noStream : .exactly(version))
                            version = result.streamVersion
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        return (writers * appends, duration)
    }

    /// A table created `LIKE events` (same columns, defaults, checks and indexes) without the log's foreign key,
    /// triggers and row-level security: what one row costs PostgreSQL and the client library alone.
    private func createInsertBaseline(pool: PGConnectionPool) async throws {
        try await pool.withConnection { connection in
            try await connection.executeScript(
                unsafeSQL: """
                    DROP TABLE IF EXISTS events_insert_baseline;
                    CREATE TABLE events_insert_baseline (LIKE events INCLUDING ALL);
                    """)
        }
    }

    /// Each client inserts one row per statement (its own implicit transaction, so one commit each) through a
    /// pooled `PGConnection`, the same client path as an append: the row of a single-event append, numbered
    /// like one.
    private func rawInserts(pool: PGConnectionPool, tenant: TenantID, clients: Int) async throws -> (Int, Duration) {
        let run = UUID().uuidString.prefix(8)
        let rows = singleAppends
        let (_, duration) = try await measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<clients {
                    group.addTask {
                        let stream = "raw-\(run)-\(clients)-\(client)"
                        for index in 0..<rows {
                            let event = Self.payload(index)
                            let metadata = PGJSON(text: #"{"actor":"bench"}"#)
                            try await pool.withConnection { connection in
                                try await connection.execute(
                                    """
                                    INSERT INTO events_insert_baseline (tenant_id, stream_id, stream_version, type, schema_version, data, metadata)
                                    VALUES (\(tenant.rawValue), \(stream), \(Int64(index + 1)), \(event.type), \(event.schemaVersion), \(event.data), \(metadata))
                                    """)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        return (clients * rows, duration)
    }

    /// The same rows, in the same order, through one `COPY … FROM STDIN` into a table created `LIKE events`
    /// with the same defaults, checks, indexes, identity, foreign key and notify trigger.
    private func copyBaseline(pool: PGConnectionPool, tenant: TenantID, batches: [[NewEvent]]) async throws -> Duration {
        try await pool.withConnection { connection in
            try await connection.executeScript(
                unsafeSQL: """
                    DROP TABLE IF EXISTS events_copy_baseline;
                    CREATE TABLE events_copy_baseline (LIKE events INCLUDING ALL);
                    ALTER TABLE events_copy_baseline ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id);
                    CREATE TRIGGER events_copy_baseline_notify AFTER INSERT ON events_copy_baseline
                        REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION events_notify();
                    """)
        }
        var chunks: [PGCopyBatch] = []
        var chunk = PGCopyBatch(capacity: 1 << 20)
        for (index, batch) in batches.enumerated() {
            for (offset, event) in batch.enumerated() {
                chunk.appendRow([
                    tenant.rawValue, "batch-\(index)", String(offset + 1), event.type, String(event.schemaVersion),
                    event.data.text, #"{"actor":"bench"}"#,
                ])
            }
            if chunk.bytes.count > 1 << 20 {
                chunks.append(chunk)
                chunk = PGCopyBatch(capacity: 1 << 20)
            }
        }
        chunks.append(chunk)
        let (stored, duration) = try await measure {
            try await pool.withConnection { connection in
                try await connection.copyIn(
                    "COPY events_copy_baseline (tenant_id, stream_id, stream_version, type, schema_version, data, metadata) FROM STDIN"
                ) { writer in
                    for chunk in chunks { try await writer.write(chunk) }
                }
            }
        }
        precondition(stored == batches.reduce(0) { $0 + $1.count }, "COPY stored \(stored) rows")
        return duration
    }

    /// A customer observation of realistic size.
    static func payload(_ index: Int) -> NewEvent {
        let data = """
            {"customer":{"system":"stripe","id":"cus_\(String(format: "%010d", index))"},\
            "fields":{"email":"customer\(index)@example.com","name":"Customer \(index) ApS","phone":"+45 12 34 \(index % 100) \(index % 97)",\
            "address.line1":"Vestergade \(index % 200)","address.postal_code":"1456","address.city":"København K","address.country":"DK"},\
            "sourceEventId":"evt_\(String(format: "%012d", index))","sourceUpdatedAt":"2026-11-24T10:00:00Z"}
            """
        return NewEvent(type: "CustomerObserved", data: PGJSON(text: data), metadata: EventMetadata(actor: "bench"))
    }
}
