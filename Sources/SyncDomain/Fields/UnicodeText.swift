/// Whitespace handling on Unicode scalars (not grapheme clusters), so that normalisation is
/// idempotent: a combining mark after a space forms one grapheme with it, which would make
/// character-based splitting depend on what the previous pass joined.
enum UnicodeText {
    /// Whether a scalar is whitespace (Unicode `White_Space`).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace }

    /// Whether a scalar ends a line (LF, VT, FF, CR, NEL, LS, PS).
    static func isNewline(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    /// The non-empty runs of scalars between separators.
    static func split(_ text: String, separator: (Unicode.Scalar) -> Bool) -> [String] {
        var parts: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if separator(scalar) {
                if !current.isEmpty { parts.append(String(current)) }
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { parts.append(String(current)) }
        return parts
    }

    /// The text without leading and trailing whitespace scalars.
    static func trim(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }),
            let last = scalars.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[first...last])
        return String(view)
    }

    /// The text trimmed, with every run of whitespace replaced by one space.
    static func collapseWhitespace(_ text: String) -> String {
        split(text, separator: isWhitespace).joined(separator: " ")
    }
}
