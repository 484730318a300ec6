import SyncDomain
import Testing

/// The text form of a value (lines trimmed, inner whitespace runs collapsed, blank lines dropped) is the same whether a
/// value takes the ASCII shortcut or the general Unicode path.
@Suite struct CanonicalTextTests {
    /// The documented form, for ASCII input: lines split at line breaks, whitespace runs collapsed, blank lines dropped.
    static func reference(_ value: String) -> String {
        let lineBreaks: Set<Unicode.Scalar> = ["\n", "\r", "\u{0B}", "\u{0C}"]
        var lines: [[Unicode.Scalar]] = [[]]
        for scalar in value.unicodeScalars {
            if lineBreaks.contains(scalar) { lines.append([]) } else { lines[lines.count - 1].append(scalar) }
        }
        return lines.map { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
        }
        .filter { !$0.isEmpty }
        .joined(separator: "\n")
    }

    @Test("random ASCII values: the canonical text form is the documented one, shortcut or not")
    func asciiValuesAgreeWithTheDocumentedForm() {
        var random = SplitMix(seed: 20_261_205)
        let alphabet = Array("ab Z09.-@  \t\n\r~")
        var shortcuts = 0
        for _ in 0..<5_000 {
            let value = String((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            let canonical = ValueEquivalence.canonical(value, kind: .text)
            #expect(canonical == Self.reference(value), "\(value.debugDescription)")
            if canonical == value, !value.isEmpty { shortcuts += 1 }
        }
        #expect(shortcuts > 500, "both paths are exercised")
    }

    @Test("values outside printable ASCII still take the general path: composed, trimmed, collapsed")
    func unicodeValues() {
        #expect(ValueEquivalence.canonical("Cafe\u{301}  Nord ", kind: .text) == "Café Nord")
        #expect(ValueEquivalence.canonical("Ålborg\u{00A0}\u{00A0}Havn", kind: .text) == "Ålborg Havn")
        #expect(ValueEquivalence.canonical("Line 1\u{2028}Line 2", kind: .text) == "Line 1\nLine 2")
        #expect(ValueEquivalence.canonical("plain words", kind: .text) == "plain words")
    }
}
