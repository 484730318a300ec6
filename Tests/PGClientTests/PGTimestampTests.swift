import Foundation
import Testing

@testable import PGClient

@Suite("timestamptz text")
struct PGTimestampTests {
    private func parse(_ text: String) -> Date? {
        Array(text.utf8).withUnsafeBytes { PGTimestamp.parse($0) }
    }

    @Test("formats in UTC with microseconds")
    func format() {
        #expect(PGTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00.000000+00")
        #expect(PGTimestamp.format(Date(timeIntervalSince1970: 1_795_000_000.25)) == "2026-11-18 11:06:40.250000+00")
        #expect(PGTimestamp.format(Date(timeIntervalSince1970: -1)) == "1969-12-31 23:59:59.000000+00")
    }

    @Test("parses what the server prints, with offsets and short fractions")
    func parseForms() {
        #expect(parse("1970-01-01 00:00:00+00") == Date(timeIntervalSince1970: 0))
        #expect(parse("2026-11-18 11:06:40.25+00") == Date(timeIntervalSince1970: 1_795_000_000.25))
        #expect(parse("2026-11-18 13:06:40.25+02") == Date(timeIntervalSince1970: 1_795_000_000.25))
        #expect(parse("2026-11-18 05:36:40.25-05:30") == Date(timeIntervalSince1970: 1_795_000_000.25))
        #expect(parse("2000-02-29 12:00:00+00") == Date(timeIntervalSince1970: 951_825_600))
    }

    @Test("rejects what it cannot represent")
    func rejects() {
        #expect(parse("infinity") == nil)
        #expect(parse("2026-13-01 00:00:00+00") == nil)
        #expect(parse("2026-01-01 00:00:00+00 trailing") == nil)
    }

    @Test("round-trips across a wide range", arguments: [-2_208_988_800.0, -1.5, 0, 86_399.999999, 1_795_000_000.123456, 4_102_444_800])
    func roundTrip(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let parsed = try #require(parse(PGTimestamp.format(date)))
        #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.000_001)
    }
}
