import EventStore
import Foundation
import Projections

/// A verify report as text: per table `identical` or the rows that differ (key, column, live value, rebuilt value),
/// and how far the live projector is behind the log.
struct VerifyDescription {
    let report: VerifyReport

    init(_ report: VerifyReport) { self.report = report }

    var text: String {
        var lines = [
            "\(report.projection) v\(report.version), tenant \(report.tenant): "
                + (report.identical ? "identical" : "DIFFERS")
                + " (\(ProgressBar.number(report.events)) events rebuilt, up to position \(report.position.globalPosition))"
        ]
        let width = report.tables.map(\.name.count).max() ?? 0
        for table in report.tables {
            let name = table.name.padding(toLength: width, withPad: " ", startingAt: 0)
            guard !table.identical else {
                lines.append("  \(name)  identical (\(ProgressBar.number(table.liveRows)) \(table.liveRows == 1 ? "row" : "rows"))")
                continue
            }
            lines.append(
                "  \(name)  \(ProgressBar.number(table.differing)) \(table.differing == 1 ? "row differs" : "rows differ") "
                    + "(\(ProgressBar.number(table.liveRows)) live, \(ProgressBar.number(table.rebuiltRows)) rebuilt)")
            for row in table.shown { lines += describe(row) }
            if table.differing > table.shown.count {
                lines.append("    … and \(ProgressBar.number(table.differing - table.shown.count)) more (--show raises the limit)")
            }
        }
        if report.behind > 0 {
            lines.append(
                "  behind by \(ProgressBar.number(report.behind)) \(report.behind == 1 ? "event" : "events"): the live projector has not "
                    + "applied them yet (not compared; run verify again once it has)")
        }
        return lines.joined(separator: "\n")
    }

    private func describe(_ row: RowDifference) -> [String] {
        let key = row.key.isEmpty ? "(the tenant's row)" : row.key
        switch row.kind {
        case .changed:
            return row.columns.map { "    \(key)  \($0.name): live \(value($0.live))  rebuilt \(value($0.rebuilt))" }
        case .onlyLive:
            return ["    \(key)  only in live (no event makes it): \(row.row ?? "")"]
        case .onlyRebuilt:
            return ["    \(key)  missing from live (the events make it): \(row.row ?? "")"]
        }
    }

    private func value(_ text: String?) -> String { text.map { "'\($0)'" } ?? "NULL" }
}
