@testable import SyncDomain
import Testing

/// Whitespace on Unicode scalars: the ASCII shortcut answers as the Unicode tables do, and trimming and splitting keep
/// every scalar that is not whitespace or a separator (combining marks after a space included).
@Suite("Unicode text")
struct UnicodeTextTests {
    @Test("whitespace is Unicode's White_Space, for every ASCII scalar and beyond")
    func whitespaceMatchesTheTables() {
        let scalars = (0...0x7F).compactMap(Unicode.Scalar.init) + ["\u{85}", "\u{A0}", "\u{2003}", "\u{3000}", "\u{200B}", "é"]
        for scalar in scalars {
            #expect(UnicodeText.isWhitespace(scalar) == scalar.properties.isWhitespace, "U+\(String(scalar.value, radix: 16))")
        }
    }

    @Test("trimming removes whitespace scalars at either end only")
    func trimming() {
        #expect(UnicodeText.trim("Aarhus") == "Aarhus")
        #expect(UnicodeText.trim(" \t Aarhus C \n") == "Aarhus C")
        #expect(UnicodeText.trim("\u{A0}\u{3000}Århus\u{2003}") == "Århus")
        #expect(UnicodeText.trim(" \u{301}e ") == "\u{301}e", "a combining mark after a space stays")
        #expect(UnicodeText.trim(" \u{A0}\n") == "")
        #expect(UnicodeText.trim("") == "")
    }

    @Test("splitting keeps the non-empty runs between separators")
    func splitting() {
        #expect(UnicodeText.split("a,,b;c", separator: { $0 == "," || $0 == ";" }) == ["a", "b", "c"])
        #expect(UnicodeText.split("  one\u{A0}two  ", separator: UnicodeText.isWhitespace) == ["one", "two"])
        #expect(UnicodeText.split("", separator: UnicodeText.isWhitespace) == [])
        #expect(UnicodeText.split("x", separator: UnicodeText.isWhitespace) == ["x"])
        #expect(UnicodeText.collapseWhitespace(" a \u{3000} b\t") == "a b")
    }
}
