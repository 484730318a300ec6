/// Turns the bytes of a customer file, fed in chunks, into ``CustomerFileItem``s: the push-style core of
/// ``CustomerFileReader``, for callers that receive a file in pieces (an HTTP upload).
///
/// The format is described in `docs/csv-format.md`. Whole-file problems throw ``CustomerFileError``; a bad row
/// becomes a ``CustomerFileItem/rejected(_:)`` and the rows after it are still read. Rows whose fields are all
/// empty (blank lines, or lines of separators only) are skipped without a word. Memory holds one row at a time.
public struct CustomerFileParser: Sendable {
    /// The header, once its line has been read.
    public private(set) var header: CustomerFileHeader?
    /// The limits in force.
    public let limits: CustomerFileLimits

    private var parser: CSVParser
    private var rowNumber = 0
    private var sawContent = false
    /// Source key → header name, for naming columns in problems.
    private var columnNames: [String: String] = [:]

    /// Creates a parser.
    public init(limits: CustomerFileLimits = CustomerFileLimits()) {
        self.limits = limits
        self.parser = CSVParser(separator: nil, maxRecordBytes: limits.maxRowBytes)
    }

    /// Reads the next bytes of the file and returns the rows they complete.
    /// - Throws: ``CustomerFileError`` for a problem with the whole file (no usable header, not UTF-8).
    public mutating func parse(_ bytes: some Sequence<UInt8>) throws(CustomerFileError) -> [CustomerFileItem] {
        try handle(parser.parse(bytes))
    }

    /// Marks the end of the file and returns the last rows.
    /// - Throws: ``CustomerFileError``, e.g. ``CustomerFileError/Code/empty`` when the file had no header.
    public mutating func finish() throws(CustomerFileError) -> [CustomerFileItem] {
        let items = try handle(parser.finish())
        guard header != nil else {
            throw sawContent ? .noHeader(line: 1, detail: "the header could not be read") : .empty
        }
        return items
    }

    private mutating func handle(_ events: [CSVParser.Event]) throws(CustomerFileError) -> [CustomerFileItem] {
        var items: [CustomerFileItem] = []
        items.reserveCapacity(events.count)
        for event in events {
            switch event {
            case .invalidUTF8(let line):
                throw .invalidUTF8(line: line)
            case .malformed(let line, let reason):
                sawContent = true
                guard header != nil else {
                    throw .noHeader(line: line, detail: "the header line is malformed (\(reason))")
                }
                rowNumber += 1
                items.append(
                    .rejected(CustomerFileRejection(rowNumber: rowNumber, line: line, problems: [CustomerFileProblem(reason: .malformed(reason))])))
            case .record(let record):
                rowNumber += 1
                let blank = record.fields.allSatisfy(\.isBlank)
                if blank { continue }
                sawContent = true
                guard header != nil else {
                    try readHeader(record)
                    continue
                }
                items.append(item(for: record))
            }
        }
        return items
    }

    private mutating func readHeader(_ record: CSVParser.Record) throws(CustomerFileError) {
        let separator = Character(Unicode.Scalar(parser.separator ?? ASCII.comma))
        let header = try CustomerFileHeader(names: record.fields, separator: separator, line: record.line, maxColumns: limits.maxColumns)
        self.header = header
        // Rows count from the header, which a spreadsheet shows as row 1 (blank lines before it included).
        parser.expectedFieldCount = header.columns.count
        for column in header.columns {
            if let key = column.key { columnNames[key] = column.name }
        }
    }

    private func item(for record: CSVParser.Record) -> CustomerFileItem {
        let header = self.header!
        let expected = header.columns.count
        let significant = CSVParser.significantCount(record.fields)
        if significant > expected {
            return .rejected(
                CustomerFileRejection(
                    rowNumber: rowNumber, line: record.line,
                    problems: [CustomerFileProblem(reason: .tooManyFields(expected: expected, found: significant))]))
        }
        if record.fields.count < expected {
            return .rejected(
                CustomerFileRejection(
                    rowNumber: rowNumber, line: record.line,
                    problems: [CustomerFileProblem(reason: .tooFewFields(expected: expected, found: record.fields.count))]))
        }
        var fields: [String: String] = [:]
        fields.reserveCapacity(header.columns.count)
        for column in header.columns {
            guard let key = column.key else { continue }
            let value = record.fields[column.index].trimmingWhitespace()
            if !value.isEmpty { fields[key] = value }
        }
        let (normalised, problems) = CustomerRowRules.validate(fields, columnNames: columnNames, limits: limits)
        if !problems.isEmpty {
            return .rejected(CustomerFileRejection(rowNumber: rowNumber, line: record.line, problems: problems))
        }
        return .row(CustomerFileRow(rowNumber: rowNumber, line: record.line, fields: normalised))
    }
}
