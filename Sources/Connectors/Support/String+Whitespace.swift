extension String {
    /// The string without leading and trailing whitespace and line breaks.
    func trimmingWhitespace() -> String {
        // Fast path: most values start and end with a visible ASCII character.
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x7F, last > 0x20, last < 0x7F {
            return String(self)
        }
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }

    /// Whether the string is empty or only whitespace.
    var isBlank: Bool {
        if utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return true }
        if utf8.allSatisfy({ $0 < 0x80 }) { return false }
        return allSatisfy(\.isWhitespace)
    }

    /// The number of characters, counted only when it could exceed `limit` (UTF-8 bytes ≥ characters).
    func exceeds(characters limit: Int) -> Bool {
        utf8.count > limit && count > limit
    }
}
