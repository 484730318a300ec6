import ArgumentParser
import Connectors
import EventStore
import Foundation
import Logging
import PGClient
import SyncEngine

/// `accord-bench import`: generates a customer file, reads it with the customer-file reader alone (the baseline:
/// what parsing costs), then imports it for a fresh tenant with `CustomerImporter`, and prints both rates, their
/// ratio, and the process's peak resident memory.
struct ImportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Customer-file import speed and memory against the parse-only rate of the same file.")

    @Option(name: .customLong("database-url"), help: "A fresh database (ops/bench/import.sh makes one).")
    var databaseURL: String

    @Option(help: "Rows to generate.")
    var rows = 1_000_000

    @Option(help: "Every this many rows one is bad (rejected).")
    var badEvery = 100

    @Option(help: "Rows per chunk (one read query and one atomic append each).")
    var chunkSize = 1_000

    func run() async throws {
        var logger = Logger(label: "accord.bench")
        logger.logLevel = .warning
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accord-bench-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("customers.csv").path
        try generate(rows: rows, badEvery: badEvery, to: path)
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0

        let (pool, tenant) = try await prepareDatabase(url: databaseURL, logger: logger, maxConnections: 3)
        print("Accord import benchmark — \(try await serverSettings(pool))")
        print("file: \(thousands(rows)) rows, \(size / 1_000_000) MB, 1 in \(badEvery) bad; chunks of \(chunkSize) rows")
        print("peak RSS before reading: \(peakResidentMB()) MB")

        let ((good, rejected), parsing) = try await measure {
            var good = 0
            var rejected = 0
            for try await item in CustomerFileReader().items(inFileAt: path) {
                if case .row = item { good += 1 } else { rejected += 1 }
            }
            return (good, rejected)
        }
        report(
            "baseline: customer file reader alone (parse + rules)", rate(good + rejected, parsing), "rows/s",
            "\(good) rows, \(rejected) rejected in \(seconds(parsing)); peak RSS \(peakResidentMB()) MB")

        let importer = CustomerImporter(store: EventStore(pool: pool, logger: logger), logger: logger, chunkSize: chunkSize)
        let progress = ProgressLine()
        let (summary, importing) = try await measure {
            try await importer.importFile(atPath: path, tenant: tenant) { progress.show($0) }
        }
        guard summary.added == good, summary.rejected == rejected, summary.outcome == .completed else {
            throw ValidationError("unexpected counts: \(summary)")
        }
        report(
            "import (hash, parse, decide, append)", rate(summary.rows, importing), "rows/s",
            "\(summary.added) added, \(summary.rejected) rejected in \(seconds(importing))")
        report("peak memory of this process (ru_maxrss)", String(peakResidentMB()), "MB", "reading and importing \(size / 1_000_000) MB")
        report("ratio import / parse-only", String(format: "%.3f", parsing.seconds / importing.seconds), "", "import rate / reader rate")

        let (again, repeated) = try await measure { try await importer.importFile(atPath: path, tenant: tenant) }
        report("the same file again (recognised by its SHA-256)", seconds(repeated), "", "outcome \(again.outcome)")

        let events = try await pool.withConnection { try await $0.query("SELECT count(*) FROM events").singleValue(Int.self) ?? 0 }
        print("events recorded: \(thousands(events))")
        await pool.shutdown()
    }

    /// A file like a Danish customer export: `;`-separated, a BOM, quoted names with separators and quotes,
    /// quoted multi-line addresses, metadata columns, and one bad row in `badEvery` (four kinds of problem).
    private func generate(rows: Int, badEvery: Int, to path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let firstNames = ["Anders", "Birgitte", "Christian", "Dorthe", "Erik", "Frederikke", "Gustav", "Hanne", "Ib", "Jette", "Karsten", "Lone"]
        let lastNames = ["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen"]
        let trades = ["Tømrer", "VVS", "Maler", "Revision", "Bageri", "Cykler", "Blomster", "El-service", "Rengøring", "IT"]
        let streets = ["Vesterbrogade", "Nørregade", "Østergade", "Strandvejen", "Algade", "Søndergade", "Kongensgade", "Åboulevarden"]
        let cities = [
            ("1620", "København V"), ("8000", "Aarhus C"), ("5000", "Odense C"), ("9000", "Aalborg"), ("6700", "Esbjerg"), ("2100", "København Ø"),
        ]
        let countries = ["DK", "DK", "DK", "DK", "Danmark", "SE", "Tyskland", "NO", "DE", "United Kingdom"]
        var text = "\u{FEFF}Kundenummer;Firmanavn;E-mail;Telefon;Adresse;Postnr;By;Land;CVR-nr;Valuta;Sælger;Note\n"
        for index in 1...max(1, rows) {
            let first = firstNames[index % firstNames.count]
            let last = lastNames[(index / 7) % lastNames.count]
            let trade = trades[(index / 3) % trades.count]
            var number = String(100_000 + index)
            var name = index % 5 == 0 ? "\"\(last) & Søn; \(trade) ApS\"" : "\(last)s \(trade) ApS"
            if index % 50 == 0 { name = "\"\(first) \"\"\(trade)\"\" \(last)\"" }
            var email = "\(first.lowercased()).\(index)@\(trade.lowercased().replacingOccurrences(of: "-", with: ""))-\(index % 997).dk"
            let street = streets[index % streets.count]
            let address = index % 20 == 0 ? "\"\(street) \(index % 180 + 1), 2. tv.\nBaghuset\"" : "\(street) \(index % 180 + 1)"
            let (zip, city) = cities[index % cities.count]
            var country = countries[index % countries.count]
            var currency = index % 9 == 0 ? "EUR" : "DKK"
            if index % badEvery == 0 {
                switch (index / badEvery) % 4 {
                case 0: number = ""
                case 1: email = "\(first.lowercased())(at)example.dk"
                case 2: country = "Atlantis"
                default: currency = "KRONER"
                }
            }
            let note = index % 10 == 0 ? "\"Ring før levering; \"\"helst\"\" om formiddagen\"" : ""
            text += "\(number);\(name);\(email);+45 \(20_000_000 + index % 79_999_999);\(address);\(zip);\(city);\(country);"
            text += "\(10_000_000 + index);\(currency);\(firstNames[(index / 11) % firstNames.count]);\(note)\n"
            if text.utf8.count > 1 << 20 {
                handle.write(Data(text.utf8))
                text = ""
            }
        }
        handle.write(Data(text.utf8))
    }
}

/// Prints the import's progress to standard error every few seconds.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var last = ContinuousClock.now

    func show(_ progress: ImportProgress) {
        lock.withLock {
            guard ContinuousClock.now - last >= .seconds(5) else { return }
            last = ContinuousClock.now
            let line = "  … \(Int(progress.fraction * 100))%, \(thousands(progress.rows)) rows, \(thousands(Int(progress.rowsPerSecond))) rows/s\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}
