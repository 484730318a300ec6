import Connectors
import EventSourcing
import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Projections
import SyncDomain
import SyncEngine
import Testing

@Suite("customer file import against PostgreSQL")
struct ImportTests {
    @Test("added, updated and unchanged across a first file, a changed file, and the same file again (a no-op)")
    func counts() async throws {
        try await EngineHarness.run { engine throws in
            let first = try CSVFile(
                """
                Kundenummer;Navn;E-mail;Land
                1001;Anna ApS;anna@example.dk;DK
                1002;Bo A/S;bo@example.dk;Danmark
                C-7;"Carl; & Co";carl@example.se;SE
                """)
            let one = try await engine.importer().importFile(atPath: first.path, tenant: engine.tenant)
            #expect(one.outcome == .completed)
            #expect((one.added, one.updated, one.unchanged, one.rejected) == (3, 0, 0, 0))
            #expect(one.resumedRows == 0)
            #expect(one.fileName == first.name)

            let second = try CSVFile(
                """
                customer_number,name,email,country
                1001,Anna ApS,anna@example.dk,DK
                1002,Bo A/S,bo@new.example.dk,DK
                C-7,"Carl; & Co",carl@example.se,SE
                1004,Dina,dina@example.dk,DK
                """)
            let two = try await engine.importer().importFile(atPath: second.path, tenant: engine.tenant)
            #expect((two.added, two.updated, two.unchanged, two.rejected) == (1, 1, 2, 0))

            let eventsBefore = try await engine.eventCount()
            let again = try await engine.importer().importFile(atPath: second.path, fileName: "renamed.csv", tenant: engine.tenant)
            #expect(again.outcome == .alreadyImported)
            #expect(again.fileName == second.name, "the name recorded by the first upload")
            #expect((again.added, again.updated, again.unchanged, again.rejected) == (1, 1, 2, 0))
            #expect(try await engine.eventCount() == eventsBefore)

            let bo = try await engine.customerEvents(.file("1002"))
            #expect(bo.count == 2)
            #expect(bo.last?.fields["email"] == "bo@new.example.dk")
            #expect(bo.last?.sourceEventId == "\(ImportID.forFile(sha256: try CustomerFileDigest.sha256(ofFileAt: second.path))):3")
            #expect(try await engine.customerEvents(.file("C-7")).first?.fields["name"] == "Carl; & Co")
            let imports = try await engine.events().filter { if case .importCompleted = $0 { true } else { false } }
            #expect(imports.count == 2)
        }
    }

    @Test("bad rows are rejected with their row number and column; the good rows are kept")
    func rejectedRows() async throws {
        try await EngineHarness.run { engine throws in
            let file = try CSVFile(
                """
                customer_number;name;email;country;currency
                1;Good One;one@example.dk;DK;DKK
                ;No Number;nobody@example.dk;DK;DKK
                3;Bad Mail;not-an-address;DK;DKK
                4;Nowhere;four@example.dk;Atlantis;DKK
                5;Two Problems;five@;Atlantis;DKK

                7;Good Seven;"seven@example.dk";DK;eur
                8;"Broken "quote";eight@example.dk;DK;DKK
                9;Good Nine;nine@example.dk;DK;DKK
                """)
            let summary = try await engine.importer().importFile(atPath: file.path, tenant: engine.tenant)
            #expect((summary.added, summary.updated, summary.unchanged, summary.rejected) == (3, 0, 0, 5))
            #expect(summary.firstRejections.map(\.row) == [3, 4, 5, 6, 9])
            let byRow = Dictionary(uniqueKeysWithValues: summary.firstRejections.map { ($0.row, $0) })
            #expect(byRow[3]?.column == "customer_number")
            #expect(byRow[4]?.column == "email")
            #expect(byRow[4]?.reason.contains("not-an-address") == true)
            #expect(byRow[5]?.column == "country")
            #expect(byRow[6]?.column == "email")
            #expect(byRow[6]?.reason.contains("country") == true, "every problem of the row is listed")
            #expect(byRow[9]?.column == nil)
            #expect(byRow[9]?.reason.contains("quote") == true)

            let recorded = try await engine.events().compactMap { if case .importRowRejected(let rejected) = $0 { rejected } else { nil } }
            #expect(recorded == summary.firstRejections)
            #expect(try await engine.customerEvents(.file("7")).first?.fields["currency"] == "EUR")
            for kept in ["1", "7", "9"] { #expect(try await engine.customerEvents(.file(kept)).count == 1) }
            for rejected in ["3", "4", "5", "8"] { #expect(try await engine.customerEvents(.file(rejected)).isEmpty) }
        }
    }

    @Test("whole-file errors and unknown tenants leave nothing behind")
    func wholeFileErrors() async throws {
        try await EngineHarness.run { engine throws in
            var invalidUTF8 = Data("customer_number,name\n".utf8)
            for number in 1...5_000 { invalidUTF8.append(Data("\(number),Kunde \(number)\n".utf8)) }
            // 99999,K\xF8benhavn (Latin-1)
            invalidUTF8.append(Data([0x39, 0x39, 0x39, 0x39, 0x39, 0x2C, 0x4B, 0xF8, 0x62, 0x65, 0x6E, 0x68, 0x61, 0x76, 0x6E, 0x0A]))
            invalidUTF8.append(Data("100000,Last\n".utf8))
            let cases: [(Data, CustomerFileError.Code)] = [
                (Data(), .empty),
                (Data("\u{FEFF}\n  \n".utf8), .empty),
                (Data("name,email\nAnna,anna@example.dk\n".utf8), .missingCustomerNumberColumn),
                (Data("customer_number;zip;Postnummer\n1;2100;2100\n".utf8), .duplicateColumns),
                (Data("\"customer_number,name\n1,Anna\n".utf8), .noHeader),
                (invalidUTF8, .invalidUTF8),
            ]
            for (bytes, code) in cases {
                let file = try CSVFile(bytes)
                let error = await #expect(throws: CustomerImportError.self) {
                    try await engine.importer(chunkSize: 100).importFile(atPath: file.path, tenant: engine.tenant)
                }
                #expect(error?.code == .invalidFile)
                #expect(error?.fileError?.code == code)
                #expect(error?.message.contains(file.name) == true)
                if code == .invalidUTF8 { #expect(error?.fileError?.line == 5_002) }
            }
            let missing = await #expect(throws: CustomerImportError.self) {
                try await engine.importer().importFile(atPath: "/nonexistent/customers.csv", tenant: engine.tenant)
            }
            #expect(missing?.fileError?.code == .unreadable)

            let good = try CSVFile("customer_number,name\n1,Anna\n")
            let unknown = await #expect(throws: CustomerImportError.self) {
                try await engine.importer().importFile(atPath: good.path, tenant: try TenantID("nobody"))
            }
            #expect(unknown?.code == .unknownTenant)
            #expect(try await engine.eventCount() == 0)

            // A header with no rows is a file without customers, not an error.
            let empty = try await engine.importer().importFile(atPath: try CSVFile("customer_number,name\n").path, tenant: engine.tenant)
            #expect(empty.outcome == .completed && empty.rows == 0)
        }
    }

    @Test("a customer number repeated in a file: each row is an observation in file order, so the last row wins")
    func duplicates() async throws {
        try await EngineHarness.run { engine throws in
            let file = try CSVFile(
                """
                customer_number,name,email
                1,First,one@example.dk
                2,Two,two@example.dk
                1,First,one@example.dk
                3,Three,three@example.dk
                1,Changed,one@example.dk
                2,Two,two@example.dk
                4,Four,four@example.dk
                2,Two Changed,two@example.dk
                """)
            // Chunks of 3 put repeats in the same chunk and in the next one (whose streams are loaded in advance).
            let summary = try await engine.importer(chunkSize: 3).importFile(atPath: file.path, tenant: engine.tenant)
            #expect((summary.added, summary.updated, summary.unchanged, summary.rejected) == (4, 2, 2, 0))
            #expect(try await engine.customerEvents(.file("1")).map { $0.fields["name"] } == ["First", "Changed"])
            #expect(try await engine.customerEvents(.file("2")).map { $0.fields["name"] } == ["Two", "Two Changed"])
        }
    }

    @Test("two files importing the same customers at once: both complete, every row recorded once (lost races are decided again)")
    func concurrentImports() async throws {
        try await EngineHarness.run { engine throws in
            func file(_ label: String) throws -> CSVFile {
                try CSVFile((["customer_number,name"] + (1...2_000).map { "\($0),\(label) \($0)" }).joined(separator: "\n"))
            }
            let (a, b) = (try file("A"), try file("B"))
            async let first = engine.importer(chunkSize: 50).importFile(atPath: a.path, tenant: engine.tenant)
            async let second = engine.importer(chunkSize: 50).importFile(atPath: b.path, tenant: engine.tenant)
            let (one, two) = try await (first, second)
            #expect(one.outcome == .completed && two.outcome == .completed)
            #expect(one.added + two.added == 2_000)
            #expect(one.updated + two.updated == 2_000)
            #expect(one.unchanged + two.unchanged == 0)
            for number in [1, 777, 2_000] {
                #expect(try await engine.customerEvents(.file(String(number))).count == 2)
            }
            #expect(try await engine.eventCount() == 4 + 4_000)
        }
    }

    @Test("end to end: 10,000 rows with 1% bad rows, the reactor links the matches and requests creation of the others")
    func endToEnd() async throws {
        try await EngineHarness.run { engine throws in
            // e-conomic customers observed beforehand: 40 share an e-mail with a good row, 5 match nothing.
            let matchedRows = (0..<40).map { 13 + $0 * 250 }
            for (index, row) in matchedRows.enumerated() {
                _ = try await engine.observe(
                    .economic(50_000 + index), ["name": GeneratedCustomers.name(row: row), "email": "Kunde\(row)@Example.dk", "currency": "DKK"])
            }
            for index in 0..<5 {
                _ = try await engine.observe(
                    .economic(60_000 + index), ["name": "Lonely \(index)", "email": "lonely\(index)@elsewhere.dk", "currency": "DKK"])
            }
            try await engine.settle()

            let file = try CSVFile(GeneratedCustomers(rows: 10_000, badEvery: 100).text)
            let summary = try await engine.importer().importFile(atPath: file.path, tenant: engine.tenant)
            #expect((summary.added, summary.updated, summary.unchanged, summary.rejected) == (9_900, 0, 0, 100))
            #expect(summary.firstRejections.count == CustomerImporter.listedRejections)
            // The reactor handles one event at a time (several round trips each): give it time on a busy machine.
            try await engine.settle(timeout: .seconds(900))
            try await engine.waitForProjections()

            // Read models, file side.
            #expect(try await engine.count("SELECT count(*) FROM customers WHERE system = 'file'") == 9_900)
            #expect(try await engine.count("SELECT count(*) FROM unpartnered WHERE system = 'file'") == 0)
            #expect(try await engine.count("SELECT count(*) FROM customers WHERE system = 'file' AND link_id IS NOT NULL") == 40)
            #expect(try await engine.count("SELECT count(*) FROM customers WHERE system = 'file' AND pending_request IS NOT NULL") == 9_860)
            #expect(try await engine.count("SELECT count(*) FROM unpartnered WHERE system = 'economic'") == 5)

            // Rejected rows are recorded with their row numbers.
            let events = try await engine.events()
            let rejected = events.compactMap { if case .importRowRejected(let rejected) = $0 { rejected } else { nil } }
            #expect(rejected.count == 100)
            #expect(Set(rejected.map(\.row)) == Set((1...100).map { $0 * 100 + 1 }))
            #expect(rejected.allSatisfy { $0.column != nil })

            // The matched rows are linked to their e-conomic customers.
            let snapshot = try await engine.snapshot()
            for (index, row) in matchedRows.enumerated() {
                #expect(snapshot.partnering.link(of: .file(String(row)))?.economic == .economic(50_000 + index))
            }
            // Every other good row has exactly one create request, with the tenant's defaults.
            let creates = events.compactMap(\.economicWrite).filter { $0.kind == .create }
            let perSource = Dictionary(grouping: creates, by: { $0.source })
            #expect(creates.count == 9_860)
            #expect(perSource.count == 9_860 && perSource.values.allSatisfy { $0.count == 1 })
            #expect(Set(perSource.keys.compactMap { $0?.system }) == [.file])
            #expect(matchedRows.allSatisfy { perSource[.file(String($0))] == nil })
            #expect(creates.allSatisfy { $0.payload["paymentTerms"] == "1" && $0.payload["customerGroup"] == "1" && $0.payload["currency"] == "DKK" })
            let sample = try #require(perSource[.file("2")]?.first)
            #expect(sample.payload["vatZone"] == "1" && sample.payload["name"] == "Kunde 2 ApS")
        }
    }

    @Test("a run cancelled after some chunks and run again records every row exactly once, and counts as one run would")
    func resumeAfterCrash() async throws {
        try await EngineHarness.run { engine throws in
            // 3,000 rows; four repeat an earlier customer with other values; every 97th is bad.
            var lines = ["customer_number;name;email"]
            for row in 2...3_001 {
                if row % 97 == 0 {
                    lines.append("\(row);Bad \(row);bad-address")
                } else if row % 500 == 250 && row > 1_000 {
                    lines.append("\(row - 999);Repeated \(row);r\(row)@example.dk")
                } else {
                    lines.append("\(row);Name \(row);n\(row)@example.dk")
                }
            }
            let file = try CSVFile(lines.joined(separator: "\n"))
            let importer = engine.importer(chunkSize: 100)

            let canceller = Canceller()
            let task = Task {
                try await importer.importFile(atPath: file.path, tenant: engine.tenant) { progress in
                    if progress.rows >= 1_200 { canceller.cancel() }
                }
            }
            canceller.set(task)
            await #expect(throws: (any Error).self) { try await task.value }
            let partial = try await engine.eventCount()
            #expect(partial > 1_000 && partial < 2_500, "some chunks, not all, were recorded")

            let summary = try await importer.importFile(atPath: file.path, tenant: engine.tenant)
            #expect(summary.outcome == .completed)
            #expect(summary.resumedRows >= 1_000)

            // Every row exactly once: one observation per row that changed something, one rejection per bad row.
            let events = try await engine.events()
            let observedRows = events.compactMap { if case .customerObserved(let observed) = $0 { observed.sourceEventId } else { nil } }
            #expect(observedRows.count == Set(observedRows).count)
            #expect(observedRows.count == summary.added + summary.updated)
            let rejectedRows = events.compactMap { if case .importRowRejected(let rejected) = $0 { rejected.row } else { nil } }
            #expect(rejectedRows.count == Set(rejectedRows).count)
            #expect(rejectedRows.count == summary.rejected)
            #expect(summary.rejected == (2...3_001).filter { $0 % 97 == 0 }.count)
            #expect(summary.added + summary.updated + summary.unchanged + summary.rejected == 3_000)
            #expect(try await engine.customerEvents(.file("1251")).map { $0.fields["name"] } == ["Name 1251", "Repeated 2250"])
            let eventsOfOneRun = try await engine.eventCount()
            #expect(eventsOfOneRun == 2 + summary.added + summary.updated + summary.rejected)

            // The same file imported in one run for another tenant counts the same and records as many events.
            let other = try await engine.addTenant("other")
            let reference = try await importer.importFile(atPath: file.path, tenant: other)
            #expect(reference.resumedRows == 0)
            #expect(
                (summary.added, summary.updated, summary.unchanged, summary.rejected)
                    == (reference.added, reference.updated, reference.unchanged, reference.rejected))
            #expect((reference.added, reference.updated) == (2_966, 4))
            #expect(summary.firstRejections == reference.firstRejections)
            #expect(try await engine.eventCount() == 2 * eventsOfOneRun)
        }
    }
}

// MARK: Support

extension EngineHarness {
    func importer(chunkSize: Int = 1_000) -> CustomerImporter {
        CustomerImporter(store: store, logger: database.logger, chunkSize: chunkSize)
    }

    func eventCount() async throws -> Int {
        try await store.pool.withTransaction(scope: .system) { try await $0.query("SELECT count(*) FROM events").singleValue(Int.self) ?? 0 }
    }

    /// A count from a read model, in the tenant's scope.
    func count(_ sql: String) async throws -> Int {
        try await store.pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(PGQuery(unsafeSQL: sql)).singleValue(Int.self) ?? 0
        }
    }

    func addTenant(_ id: String) async throws -> TenantID {
        try await database.addTenant(id, pool: store.pool)
    }

    /// The observations recorded for a customer, in order.
    func customerEvents(_ customer: CustomerRef) async throws -> [CustomerObserved] {
        let recorded = try await store.readStream(try StreamID(StreamName.customer(customer).rawValue), of: tenant)
        return try DomainEvent.decode(recorded).compactMap { if case .customerObserved(let observed) = $0.event { observed } else { nil } }
    }

    /// Waits until every projection has applied everything written so far.
    func waitForProjections(timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            let behind = try await store.pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    """
                    SELECT count(*) FROM projections p
                    WHERE p.state = 'active' AND EXISTS (
                        SELECT 1 FROM events e, projection_checkpoints c
                        WHERE c.projection = p.name AND c.version = p.version AND (e.txid, e.global_position) > (c.txid, c.global_position))
                    """
                ).singleValue(Int.self) ?? 0
            }
            if behind == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the projections did not catch up within \(timeout)")
    }
}

/// A CSV file in a temporary directory, removed when the process ends (the directory is per test run).
struct CSVFile {
    let path: String
    var name: String { URL(fileURLWithPath: path).lastPathComponent }

    init(_ text: String) throws {
        try self.init(Data(text.utf8))
    }

    init(_ bytes: Data) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accord-import-tests")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("customers-\(UUID().uuidString.prefix(8)).csv").path
        try bytes.write(to: URL(fileURLWithPath: path))
    }
}

/// A generated customer file: realistic Danish rows with some quoting; every `badEvery`-th row (rows 101, 201, …)
/// is bad in one of four ways.
struct GeneratedCustomers {
    let rows: Int
    let badEvery: Int

    var text: String {
        var lines = ["Kundenummer;Navn;E-mail;Telefon;Adresse;Postnummer;By;Land;Valuta"]
        for index in 1...rows {
            let row = index + 1
            let number = String(index + 1)
            let name = row % 7 == 0 ? "\"\(Self.name(row: row))\"" : Self.name(row: row)
            var email = "kunde\(row)@example.dk"
            var country = "DK"
            var currency = "DKK"
            var customerNumber = number
            if index % badEvery == 0 {
                switch (index / badEvery) % 4 {
                case 0: customerNumber = ""
                case 1: email = "kunde\(row)(at)example.dk"
                case 2: country = "Atlantis"
                default: currency = "KRONER"
                }
            }
            let address = row % 11 == 0 ? "\"Vejen \(row % 200)\nbaghuset\"" : "Vejen \(row % 200)"
            lines.append(
                "\(customerNumber);\(name);\(email);+45 \(20_000_000 + row);\(address);\(1000 + row % 8999);København;\(country);\(currency)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The name of the customer in `row` (every 7th has a separator in it, so it is quoted in the file).
    static func name(row: Int) -> String {
        row % 7 == 0 ? "Kunde \(row); Jensen & Søn" : "Kunde \(row) ApS"
    }
}

/// Cancels a task once both the task is known and a cancellation was asked for.
final class Canceller: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<ImportSummary, any Error>?
    private var requested = false

    func set(_ task: Task<ImportSummary, any Error>) {
        lock.withLock {
            self.task = task
            if requested { task.cancel() }
        }
    }

    func cancel() {
        lock.withLock {
            requested = true
            task?.cancel()
        }
    }
}
