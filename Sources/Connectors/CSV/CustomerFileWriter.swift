import Foundation

/// Writes customers as a customer file in the format Accord imports (docs/csv-format.md): UTF-8, `,` separated,
/// CRLF line ends, a header of source-vocabulary keys (`customer_number` first, then the known fields in the order
/// of ``CustomerFileColumns/knownKeys``, then `metadata.<name>` columns by name — each only when some row has it),
/// and RFC 4180 quoting for any value holding the separator, a quote or a line break. Importing what it writes
/// gives back the same fields. Values are written as they are: a value that starts with `=` or `+` is not altered to
/// defuse spreadsheet formulas, because the file is meant to be imported again unchanged.
public enum CustomerFileWriter {
    /// The file's text.
    /// - Parameter rows: Each customer's fields (source vocabulary; `customer_number` required).
    public static func csv(_ rows: [[String: String]]) -> String {
        let columns = columns(of: rows)
        var text = columns.map(quoted).joined(separator: ",") + "\r\n"
        for row in rows {
            text += columns.map { quoted(row[$0] ?? "") }.joined(separator: ",") + "\r\n"
        }
        return text
    }

    /// The columns a file of these rows has.
    static func columns(of rows: [[String: String]]) -> [String] {
        var present = Set<String>()
        for row in rows { present.formUnion(row.keys) }
        let known = CustomerFileColumns.knownKeys.filter { present.contains($0) || $0 == CustomerFileColumns.customerNumberKey }
        return known + present.filter { $0.hasPrefix("metadata.") }.sorted()
    }

    /// A value as a field: quoted when it holds `,`, `"`, CR or LF.
    static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
