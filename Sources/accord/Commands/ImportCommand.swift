import ArgumentParser
import EventStore
import Foundation
import SyncDomain
import SyncEngine

/// `accord import FILE --tenant T`: imports a customer CSV file, with a progress bar and a summary.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a customer CSV file (docs/csv-format.md) for a tenant.",
        discussion: """
            Each row becomes an observation of the file customer with its customer number; bad rows are rejected and \
            listed, the others imported. Importing the same file again does nothing; running an interrupted import \
            again finishes it without recording anything twice.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The CSV file.")
    var file: String

    @Option(help: "The tenant whose customers these are.")
    var tenant: String

    @Option(help: "Rows decided and appended together.")
    var chunkSize = 1_000

    func validate() throws {
        guard (1...100_000).contains(chunkSize) else { throw ValidationError("--chunk-size must be between 1 and 100000") }
    }

    func run() async throws {
        let logger = global.makeLogger("accord.import")
        let tenantID: TenantID
        do {
            tenantID = try TenantID(tenant)
        } catch {
            throw ValidationError("'\(tenant)' is not a tenant id: \(error)")
        }
        let summary: ImportSummary
        do {
            summary = try await withPool(global, logger: logger, maxConnections: 3) { pool in
                let importer = CustomerImporter(store: EventStore(pool: pool, logger: logger), logger: logger, chunkSize: chunkSize)
                let bar = ProgressBar(label: "import", unit: "rows")
                let summary = try await importer.importFile(atPath: file, tenant: tenantID) { progress in
                    bar.update(done: progress.rows, total: progress.estimatedTotalRows, rate: progress.rowsPerSecond)
                }
                if summary.outcome == .completed {
                    let seconds = max(summary.elapsed.seconds, 1e-9)
                    bar.update(done: summary.rows, total: summary.rows, rate: Double(summary.rows) / seconds, final: true)
                }
                return summary
            }
        } catch let error as CustomerImportError {
            throw ImportFailure(message: error.message)
        }
        print(Self.describe(summary))
    }

    /// The summary as printed.
    static func describe(_ summary: ImportSummary) -> String {
        var lines: [String] = []
        let n = ProgressBar.number
        switch summary.outcome {
        case .alreadyImported:
            lines.append("\(summary.fileName) was imported before (same content, SHA-256 \(summary.sha256.prefix(12))…): nothing to do.")
            lines.append("That import recorded:")
        case .completed:
            lines.append(
                "imported \(summary.fileName): \(n(summary.rows)) rows in \(String(format: "%.1f", summary.elapsed.seconds)) s"
                    + (summary.resumedRows > 0 ? " (finished an interrupted import: \(n(summary.resumedRows)) rows had been recorded before)" : ""))
        }
        lines.append("  added      \(n(summary.added).leftPadded(10))")
        lines.append("  updated    \(n(summary.updated).leftPadded(10))")
        lines.append("  unchanged  \(n(summary.unchanged).leftPadded(10))")
        lines.append("  rejected   \(n(summary.rejected).leftPadded(10))")
        if !summary.firstRejections.isEmpty {
            let more = summary.rejected - summary.firstRejections.count
            lines.append(
                summary.rejected > summary.firstRejections.count ? "first \(summary.firstRejections.count) rejected rows:" : "rejected rows:")
            for rejection in summary.firstRejections {
                lines.append("  row \(rejection.row)\(rejection.column.map { ", \($0)" } ?? ""): \(rejection.reason)")
            }
            if more > 0 { lines.append("  … and \(n(more)) more") }
        }
        return lines.joined(separator: "\n")
    }
}

/// A failure whose message is the whole story (ArgumentParser prints it and exits non-zero).
struct ImportFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { "import failed: \(message)" }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
