/// Whitespace handling on Unicode scalars (not grapheme clusters), so that normalisation is
/// idempotent: a combining mark after a space forms one grapheme with it, which would make
/// character-based splitting depend on what the previous pass joined.
enum UnicodeText {
    /// Whether a scalar is whitespace (Unicode `White_Space`). ASCII is answered without the Unicode tables (their
    /// lookups were most of the reactor's field comparisons in an initial sync, profiled).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value) }
        return scalar.properties.isWhitespace
    }

    /// Whether a scalar ends a line (LF, VT, FF, CR, NEL, LS, PS).
    static func isNewline(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    /// The non-empty runs of scalars between separators.
    static func split(_ text: String, separator: (Unicode.Scalar) -> Bool) -> [String] {
        let scalars = text.unicodeScalars
        var parts: [String] = []
        var start = scalars.startIndex
        var index = start
        while index < scalars.endIndex {
            if separator(scalars[index]) {
                if start < index { parts.append(String(scalars[start..<index])) }
                start = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        if start < scalars.endIndex { parts.append(String(scalars[start...])) }
        return parts
    }

    /// The text without leading and trailing whitespace scalars (the text itself when it has none).
    static func trim(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }),
            let last = scalars.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    /// The text trimmed, with every run of whitespace replaced by one space.
    static func collapseWhitespace(_ text: String) -> String {
        split(text, separator: isWhitespace).joined(separator: " ")
    }
}
