import ArgumentParser
import Connectors
import Foundation

/// `accord-bench csv`: streams a generated customer file through the CSV tokenizer alone, then through the full
/// customer-file reader, and prints rows per second and the process's peak resident memory.
struct CSVBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csv", abstract: "Customer-file parsing speed and memory on a generated file.")

    @Option(help: "Rows to generate.")
    var rows = 1_000_000

    @Option(help: "An existing file to read instead of generating one (its first line must be a header).")
    var file: String?

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accord-bench-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = file ?? directory.appendingPathComponent("customers.csv").path
        if file == nil { try generate(rows: rows, to: path) }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        print("file: \(path), \(size / 1_000_000) MB; peak RSS before reading: \(peakResidentMB()) MB")

        let (records, tokenizing) = try await measure { try tokenize(path) }
        report(
            "CSV tokenizer (records)", rate(records, tokenizing), "rows/s",
            "\(records) records in \(seconds(tokenizing)); peak RSS \(peakResidentMB()) MB")

        let ((good, rejected), reading) = try await measure {
            var good = 0
            var rejected = 0
            for try await item in CustomerFileReader().items(inFileAt: path) {
                if case .row = item { good += 1 } else { rejected += 1 }
            }
            return (good, rejected)
        }
        report(
            "customer file reader (rows + rules)", rate(good + rejected, reading), "rows/s",
            "\(good) rows, \(rejected) rejected in \(seconds(reading)); peak RSS \(peakResidentMB()) MB")
    }

    private func tokenize(_ path: String) throws -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ValidationError("cannot open \(path)") }
        defer { try? handle.close() }
        var parser = CSVParser()
        var records = 0
        while let chunk = try handle.read(upToCount: 256 * 1024), !chunk.isEmpty {
            records += parser.parse(chunk).count
        }
        return records + parser.finish().count
    }

    private func generate(rows: Int, to path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var text = "kundenummer;navn;email;telefon;adresse;postnummer;by;land;cvr;note\n"
        for number in 1...max(1, rows) {
            let name = number % 3 == 0 ? "\"Firma \(number); ApS\"" : "Kunde \(number) A/S"
            let note = number % 10 == 0 ? "\"Says \"\"hi\"\"\nsecond line\"" : "plain note"
            text += "\(number);\(name);kunde\(number)@example.dk;+45 \(10_000_000 + number);Vejen \(number % 200) st. tv.;"
            text += "\(1000 + number % 8999);København Ø;DK;\(30_000_000 + number);\(note)\n"
            if text.utf8.count > 1 << 20 {
                handle.write(Data(text.utf8))
                text = ""
            }
        }
        handle.write(Data(text.utf8))
    }
}
