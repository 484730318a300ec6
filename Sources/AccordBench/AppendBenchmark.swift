import ArgumentParser
import EventStore
import Foundation
import Logging
import PGClient

/// Appends: single events with an expected version (1 and N writers), batches, and a raw `COPY` of the
/// same rows into an identical table as the baseline.
struct AppendBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append", abstract: "Measure the event store's append path against a raw COPY of the same rows.")

    @Option(name: .customLong("database-url"), help: "A fresh database (ops/bench/append.sh makes one).")
    var databaseURL: String

    @Option(help: "Single-event appends per writer.")
    var singleAppends = 2_000

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
        print("Accord append benchmark — \(try await serverSettings(pool))")
        print("payload: \(Self.payload(0).data.text.utf8.count) bytes of JSON per event, metadata \(Self.payload(0).metadata.actor ?? "")")

        // Warm up connections, plans and caches.
        for index in 0..<200 { try await store.append([Self.payload(index)], to: "warmup", of: tenant, expecting: .any) }

        let single = try await singleEventAppends(store: store, tenant: tenant, writers: 1)
        report("single-event appends, expected version, 1 writer", rate(single.0, single.1), "appends/s", "\(single.0) appends in \(seconds(single.1))")
        let multi = try await singleEventAppends(store: store, tenant: tenant, writers: writers)
        report("single-event appends, expected version, \(writers) writers", rate(multi.0, multi.1), "appends/s", "\(multi.0) appends in \(seconds(multi.1))")

        let batches = (0..<(events / batchSize)).map { batch in (0..<batchSize).map { Self.payload(batch * batchSize + $0) } }
        let (_, batchedTime) = try await measure {
            for (index, batch) in batches.enumerated() {
                try await store.append(batch, to: try StreamID("batch-\(index)"), of: tenant, expecting: .noStream)
            }
        }
        report("batched appends, \(events) events in batches of \(batchSize)", rate(events, batchedTime), "events/s", "\(events) events in \(seconds(batchedTime))")

        let copyTime = try await copyBaseline(pool: pool, tenant: tenant, batches: batches)
        report("raw COPY of the same \(events) rows into an identical table", rate(events, copyTime), "events/s", "\(events) events in \(seconds(copyTime))")
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
