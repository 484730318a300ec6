import Connectors
import Testing

/// Parses `text` fed in chunks of `chunkSize` bytes (1 exercises every boundary).
func parseCSV(_ text: String, chunkSize: Int = 1 << 20, separator: UInt8? = nil, expectedFieldCount: Int? = nil) -> [CSVParser.Event] {
    var parser = CSVParser(separator: separator)
    parser.expectedFieldCount = expectedFieldCount
    let bytes = Array(text.utf8)
    var events: [CSVParser.Event] = []
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + chunkSize)
        events += parser.parse(bytes[offset..<end])
        offset = end
    }
    return events + parser.finish()
}

func records(_ events: [CSVParser.Event]) -> [[String]] {
    events.compactMap { event in
        if case .record(let record) = event { return record.fields }
        return nil
    }
}

@Suite("CSV tokenizer")
struct CSVParserTests {
    @Test("quoted separators, doubled quotes and quoted line breaks, in any chunking", arguments: [1, 2, 3, 7, 64, 1 << 20])
    func quoting(chunkSize: Int) {
        let text = "a,b,c\n1,\"Acme, Inc\",\"The \"\"Best\"\" Co\"\n2,\"Line one\nLine two\",x\n3,,\"\"\n"
        let events = parseCSV(text, chunkSize: chunkSize)
        #expect(
            records(events) == [
                ["a", "b", "c"], ["1", "Acme, Inc", "The \"Best\" Co"], ["2", "Line one\nLine two", "x"], ["3", "", ""],
            ])
        guard case .record(let multiLine) = events[2] else { Issue.record("expected a record"); return }
        #expect(multiLine.line == 3)
        #expect(multiLine.lineCount == 2)
        guard case .record(let after) = events[3] else { Issue.record("expected a record"); return }
        #expect(after.line == 5)
    }

    @Test("CRLF and a lone CR end records; CRLF inside quotes is kept", arguments: [1, 5, 1 << 20])
    func lineEndings(chunkSize: Int) {
        let events = parseCSV("a,b\r\n1,\"x\r\ny\"\r\n2,z\r3,w", chunkSize: chunkSize)
        #expect(records(events) == [["a", "b"], ["1", "x\r\ny"], ["2", "z"], ["3", "w"]])
    }

    @Test("a UTF-8 byte order mark is skipped, even split across chunks", arguments: [1, 2, 1 << 20])
    func byteOrderMark(chunkSize: Int) {
        #expect(records(parseCSV("\u{FEFF}kundenummer;navn\n1;Ærø", chunkSize: chunkSize)) == [["kundenummer", "navn"], ["1", "Ærø"]])
    }

    @Test("the separator is detected from the first line, quotes included")
    func separatorDetection() {
        var parser = CSVParser()
        _ = parser.parse(Array("\"a,b\";c;d\n1;\"2,5\";3\n".utf8))
        #expect(parser.separator == UInt8(ascii: ";"))
        #expect(records(parseCSV("\"a;b\",c\n1,2\n")) == [["a;b", "c"], ["1", "2"]])
        #expect(records(parseCSV("only\n1\n")) == [["only"], ["1"]])
    }

    @Test("an unterminated quote mid-file loses only its own row", arguments: [1, 4, 1 << 20])
    func unterminatedQuote(chunkSize: Int) {
        let text = "n,name,email\n1,Acme,a@acme.dk\n2,\"Broken,b@broken.dk\n3,Gamma,c@gamma.dk\n4,Delta,d@delta.dk\n"
        let events = parseCSV(text, chunkSize: chunkSize)
        #expect(events.contains(.malformed(line: 3, reason: .unterminatedQuote)))
        #expect(
            records(events) == [["n", "name", "email"], ["1", "Acme", "a@acme.dk"], ["3", "Gamma", "c@gamma.dk"], ["4", "Delta", "d@delta.dk"]])
    }

    @Test("a stray quote that pairs with a later one is caught by the character after it")
    func characterAfterClosingQuote() {
        let text = "n,name,email\n1,Acme,a@acme.dk\n2,\"Broken,b@broken.dk\n3,\"Gamma\",c@gamma.dk\n"
        let events = parseCSV(text)
        #expect(events.contains(.malformed(line: 3, reason: .characterAfterClosingQuote)))
        #expect(records(events).map(\.first) == ["n", "1", "3"])
    }

    @Test("a stray quote that swallows lines and closes cleanly is caught by the field count")
    func unbalancedQuotes() {
        let text = "n,name,email\n1,\"Acme,a@acme.dk\n2,Beta\",b@beta.dk,x\n3,Gamma,c@gamma.dk\n"
        let withoutCount = parseCSV(text)
        #expect(records(withoutCount).map(\.first) == ["n", "1", "3"])  // lines 2 and 3 read as one record
        let events = parseCSV(text, expectedFieldCount: 3)
        #expect(events.contains(.malformed(line: 2, reason: .unbalancedQuotes(fields: 4, expected: 3))))
        #expect(records(events).map(\.first) == ["n", "2", "3"])
    }

    @Test("a quote inside an unquoted field is a literal character")
    func literalQuote() {
        #expect(records(parseCSV("a,b\n12\" screen,x\n")) == [["a", "b"], ["12\" screen", "x"]])
    }

    @Test("a record larger than the limit is skipped, then reading goes on", arguments: [7, 1 << 20])
    func recordTooLarge(chunkSize: Int) {
        var parser = CSVParser(maxRecordBytes: 32)
        let text = "a,b\n1,\(String(repeating: "x", count: 100))\n2,y\n"
        var events: [CSVParser.Event] = []
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunkSize)
            events += parser.parse(bytes[offset..<end])
            offset = end
        }
        events += parser.finish()
        #expect(events.contains(.malformed(line: 2, reason: .recordTooLarge(limit: 32))))
        #expect(records(events) == [["a", "b"], ["2", "y"]])
    }

    @Test("invalid UTF-8 is reported with its line")
    func invalidUTF8() {
        var parser = CSVParser()
        let events = parser.parse([0x61, 0x0A, 0x62, 0xE6, 0x0A]) + parser.finish()  // "a\nb<Latin-1 æ>\n"
        #expect(events.contains(.invalidUTF8(line: 2)))
    }

    @Test("trailing separators and the last line without a line break")
    func trailingSeparators() {
        #expect(records(parseCSV("a,b,\n1,2,")) == [["a", "b", ""], ["1", "2", ""]])
    }
}
