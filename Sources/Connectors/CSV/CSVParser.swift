/// A streaming RFC 4180 tokenizer over UTF-8 bytes: feed it chunks of any size and it hands back complete
/// records; memory holds only the record in progress (bounded by ``maxRecordBytes``).
///
/// - Quoting: a field that starts with `"` is quoted; inside it separators and line breaks are data and `""`
///   is one quote. A quote inside an unquoted field is kept as a literal character (lenient).
/// - Line breaks: `\n`, `\r\n` and a lone `\r` end a record. Line numbers count physical lines from 1.
/// - A UTF-8 byte order mark at the very start is skipped.
/// - The separator is given, or detected from the first line: whichever of `,` and `;` occurs more often
///   outside quotes (`,` on a tie).
/// - Malformed records never stop the parse. A closing quote followed by anything other than a separator
///   or a line break, a quote still open at the end of the input, a record larger than ``maxRecordBytes``,
///   or (when ``expectedFieldCount`` is set) a record spanning several lines whose field count differs
///   from it, is reported as ``Event/malformed(line:reason:)`` and parsing resumes at the start of the
///   physical line after the one where that record began. The lines the bad record swallowed are
///   parsed again as records of their own, so the good rows after a stray quote are kept.
public struct CSVParser: Sendable {
    /// Why a record could not be read.
    public enum Malformation: Sendable, Hashable {
        /// A closing quote is followed by a character other than a separator or a line break.
        case characterAfterClosingQuote
        /// A quoted field is still open at the end of the input.
        case unterminatedQuote
        /// The record grew past ``CSVParser/maxRecordBytes`` (most often a quote that never closes).
        case recordTooLarge(limit: Int)
        /// A record spanning several lines has a field count that differs from the header's: a quote
        /// opened in its first line probably swallowed the line breaks after it.
        case unbalancedQuotes(fields: Int, expected: Int)
    }

    /// One record: its fields in order, the physical line it starts on and how many lines it spans.
    public struct Record: Sendable, Hashable {
        /// The field values, unquoted and unescaped.
        public var fields: [String]
        /// The 1-based physical line on which the record starts.
        public var line: Int
        /// The number of physical lines the record spans (more than 1 when a quoted field holds a line break).
        public var lineCount: Int
    }

    /// What the parser found.
    public enum Event: Sendable, Hashable {
        /// A complete record.
        case record(Record)
        /// A record that could not be read; parsing goes on at the line after `line`.
        case malformed(line: Int, reason: Malformation)
        /// The record starting on `line` is not valid UTF-8. Parsing goes on after it, but the input is most
        /// likely in another encoding (e.g. Windows-1252).
        case invalidUTF8(line: Int)
    }

    /// The field separator, `nil` until detected from the first line.
    public private(set) var separator: UInt8?
    /// Records larger than this many bytes are reported as malformed.
    public var maxRecordBytes: Int
    /// When set, a multi-line record with another field count is treated as a quoting error (see the type's
    /// documentation). Trailing empty fields beyond the count are not counted.
    public var expectedFieldCount: Int?

    private var buffer: [UInt8] = []
    /// 1-based line number of `buffer[0]`.
    private var bufferLine = 1
    private var atStart = true
    private var finished = false
    /// After a malformed record whose first line is not complete yet: drop bytes up to the next line break.
    private var discardingLine = false

    /// Creates a parser.
    /// - Parameters:
    ///   - separator: `,` or `;` (or any single ASCII byte other than a quote or line break); `nil` detects
    ///     it from the first line.
    ///   - maxRecordBytes: the size above which a record is malformed; 64 KiB by default.
    public init(separator: UInt8? = nil, maxRecordBytes: Int = 64 * 1024) {
        precondition(separator.map { $0 != ASCII.quote && $0 != ASCII.lineFeed && $0 != ASCII.carriageReturn } ?? true)
        self.separator = separator
        self.maxRecordBytes = maxRecordBytes
    }

    /// Parses the bytes that follow everything fed so far and returns the events for every record they
    /// complete. An incomplete record at the end is kept for the next call.
    public mutating func parse(_ bytes: some Sequence<UInt8>) -> [Event] {
        precondition(!finished, "CSVParser.parse after finish()")
        buffer.append(contentsOf: bytes)
        return drain(atEnd: false)
    }

    /// Marks the end of the input and returns the events for what was still buffered.
    public mutating func finish() -> [Event] {
        guard !finished else { return [] }
        let events = drain(atEnd: true)
        finished = true
        return events
    }

    // MARK: Scanning

    private enum Scan {
        case complete(fields: [String]?, end: Int, lineBreaks: Int)
        case incomplete
        case malformed(Malformation)
    }

    private mutating func drain(atEnd: Bool) -> [Event] {
        var events: [Event] = []
        if atStart {
            if buffer.count < 3 && !atEnd && buffer.starts(with: [0xEF, 0xBB, 0xBF].prefix(buffer.count)) {
                return events
            }
            if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { buffer.removeFirst(3) }
            atStart = false
        }
        var start = 0
        var line = bufferLine
        while start < buffer.count {
            if discardingLine {
                (start, line) = skipLine(from: start, line: line)
                continue
            }
            if separator == nil {
                guard let detected = detectSeparator(from: start, atEnd: atEnd) else { break }
                separator = detected
            }
            let scan = buffer.withUnsafeBufferPointer { scanRecord($0, from: start, atEnd: atEnd) }
            switch scan {
            case .incomplete:
                if buffer.count - start > maxRecordBytes {
                    events.append(.malformed(line: line, reason: .recordTooLarge(limit: maxRecordBytes)))
                    (start, line) = skipLine(from: start, line: line)
                    continue
                }
                bufferLine = line
                buffer.removeFirst(start)
                return events
            case .malformed(let reason):
                events.append(.malformed(line: line, reason: reason))
                (start, line) = skipLine(from: start, line: line)
            case .complete(let fields, let end, let lineBreaks):
                if end - start > maxRecordBytes {
                    events.append(.malformed(line: line, reason: .recordTooLarge(limit: maxRecordBytes)))
                    (start, line) = skipLine(from: start, line: line)
                    continue
                }
                guard let fields else {
                    events.append(.invalidUTF8(line: line))
                    start = end
                    line += lineBreaks
                    continue
                }
                let spannedLines = max(1, lineBreaks + (end == buffer.count && !endsWithLineBreak(end) ? 1 : 0))
                if spannedLines > 1, let expected = expectedFieldCount, Self.significantCount(fields) != expected,
                    fields.count != expected
                {
                    events.append(.malformed(line: line, reason: .unbalancedQuotes(fields: fields.count, expected: expected)))
                    (start, line) = skipLine(from: start, line: line)
                    continue
                }
                events.append(.record(Record(fields: fields, line: line, lineCount: spannedLines)))
                start = end
                line += lineBreaks
            }
        }
        bufferLine = line
        buffer.removeFirst(start)
        return events
    }

    private func endsWithLineBreak(_ end: Int) -> Bool {
        end > 0 && (buffer[end - 1] == ASCII.lineFeed || buffer[end - 1] == ASCII.carriageReturn)
    }

    /// The field count without trailing empty fields (spreadsheets often pad rows with separators).
    static func significantCount(_ fields: [String]) -> Int {
        var count = fields.count
        while count > 0 && fields[count - 1].isEmpty { count -= 1 }
        return count
    }

    /// The start of the physical line after the one beginning at `start`, and its line number. When that
    /// line's end has not arrived yet, everything is dropped and the rest of the line is dropped as it comes.
    private mutating func skipLine(from start: Int, line: Int) -> (Int, Int) {
        var index = start
        while index < buffer.count {
            let byte = buffer[index]
            if byte == ASCII.lineFeed || byte == ASCII.carriageReturn {
                discardingLine = false
                if byte == ASCII.carriageReturn && index + 1 < buffer.count && buffer[index + 1] == ASCII.lineFeed {
                    return (index + 2, line + 1)
                }
                return (index + 1, line + 1)
            }
            index += 1
        }
        discardingLine = true
        return (buffer.count, line)
    }

    /// Counts `,` and `;` outside quotes on the first line; `nil` while that line is incomplete.
    private func detectSeparator(from start: Int, atEnd: Bool) -> UInt8? {
        var commas = 0
        var semicolons = 0
        var quoted = false
        var index = start
        while index < buffer.count {
            let byte = buffer[index]
            if byte == ASCII.quote {
                quoted.toggle()
            } else if !quoted {
                if byte == ASCII.lineFeed || byte == ASCII.carriageReturn { break }
                if byte == ASCII.comma { commas += 1 } else if byte == ASCII.semicolon { semicolons += 1 }
            }
            index += 1
        }
        if index == buffer.count && !atEnd && buffer.count - start <= maxRecordBytes { return nil }
        return semicolons > commas ? ASCII.semicolon : ASCII.comma
    }

    /// Scans one record starting at `start`. `fields` is `nil` when a field is not valid UTF-8.
    private func scanRecord(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, atEnd: Bool) -> Scan {
        let separator = self.separator ?? ASCII.comma
        let end = bytes.count
        var fields: [String] = []
        var valid = true
        var lineBreaks = 0
        var position = start
        while true {
            if position < end && bytes[position] == ASCII.quote {
                // Quoted field.
                let contentStart = position + 1
                var cursor = contentStart
                var escapes = false
                while true {
                    guard cursor < end else { return atEnd ? .malformed(.unterminatedQuote) : .incomplete }
                    let byte = bytes[cursor]
                    if byte == ASCII.quote {
                        guard cursor + 1 < end else {
                            guard atEnd else { return .incomplete }
                            valid = valid && Self.append(bytes, contentStart..<cursor, escapes: escapes, to: &fields)
                            return .complete(fields: valid ? fields : nil, end: end, lineBreaks: lineBreaks)
                        }
                        let next = bytes[cursor + 1]
                        if next == ASCII.quote {
                            escapes = true
                            cursor += 2
                            continue
                        }
                        valid = valid && Self.append(bytes, contentStart..<cursor, escapes: escapes, to: &fields)
                        if next == separator {
                            position = cursor + 2
                            break
                        }
                        if next == ASCII.lineFeed {
                            return .complete(fields: valid ? fields : nil, end: cursor + 2, lineBreaks: lineBreaks + 1)
                        }
                        if next == ASCII.carriageReturn {
                            guard cursor + 2 < end else {
                                return atEnd
                                    ? .complete(fields: valid ? fields : nil, end: end, lineBreaks: lineBreaks + 1) : .incomplete
                            }
                            let after = bytes[cursor + 2] == ASCII.lineFeed ? cursor + 3 : cursor + 2
                            return .complete(fields: valid ? fields : nil, end: after, lineBreaks: lineBreaks + 1)
                        }
                        return .malformed(.characterAfterClosingQuote)
                    }
                    if byte == ASCII.lineFeed {
                        lineBreaks += 1
                    } else if byte == ASCII.carriageReturn && (cursor + 1 >= end || bytes[cursor + 1] != ASCII.lineFeed) {
                        lineBreaks += 1
                    }
                    cursor += 1
                }
            } else {
                // Unquoted field: up to the separator or the line break.
                var cursor = position
                while cursor < end {
                    let byte = bytes[cursor]
                    if byte == separator || byte == ASCII.lineFeed || byte == ASCII.carriageReturn { break }
                    cursor += 1
                }
                guard cursor < end else {
                    guard atEnd else { return .incomplete }
                    valid = valid && Self.append(bytes, position..<cursor, escapes: false, to: &fields)
                    return .complete(fields: valid ? fields : nil, end: end, lineBreaks: lineBreaks)
                }
                valid = valid && Self.append(bytes, position..<cursor, escapes: false, to: &fields)
                let byte = bytes[cursor]
                if byte == separator {
                    position = cursor + 1
                    if position == end && atEnd {
                        fields.append("")
                        return .complete(fields: valid ? fields : nil, end: end, lineBreaks: lineBreaks)
                    }
                    continue
                }
                if byte == ASCII.lineFeed {
                    return .complete(fields: valid ? fields : nil, end: cursor + 1, lineBreaks: lineBreaks + 1)
                }
                // Carriage return: wait for a possible line feed.
                guard cursor + 1 < end else {
                    return atEnd ? .complete(fields: valid ? fields : nil, end: end, lineBreaks: lineBreaks + 1) : .incomplete
                }
                let after = bytes[cursor + 1] == ASCII.lineFeed ? cursor + 2 : cursor + 1
                return .complete(fields: valid ? fields : nil, end: after, lineBreaks: lineBreaks + 1)
            }
        }
    }

    /// Decodes a field and appends it; `false` when it is not valid UTF-8.
    private static func append(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, escapes: Bool, to fields: inout [String]
    ) -> Bool {
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        let decoded: String?
        if escapes {
            var unescaped: [UInt8] = []
            unescaped.reserveCapacity(slice.count)
            var index = 0
            while index < slice.count {
                unescaped.append(slice[index])
                index += slice[index] == ASCII.quote ? 2 : 1
            }
            decoded = String(validating: unescaped, as: UTF8.self)
        } else {
            decoded = String(validating: slice, as: UTF8.self)
        }
        guard let decoded else {
            fields.append("")
            return false
        }
        fields.append(decoded)
        return true
    }
}

/// The ASCII bytes the CSV code looks at.
enum ASCII {
    static let quote: UInt8 = 0x22
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
}
