/// Text as PostgreSQL orders, lower-cases and `ILIKE`s it under the C collation, the one Accord's clusters are
/// made with (`initdb --no-locale`): UTF-8 bytes in order, and only ASCII letters change case. The in-memory
/// answers of the read-model queries (``ReferenceReadModels``) use it so that they order and find customers
/// exactly as the SQL does.
enum CCollation {
    /// `lower(text)`: ASCII letters lower-cased, everything else kept.
    static func lower(_ text: String) -> String {
        String(decoding: text.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// `lhs < rhs` by bytes.
    static func less(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// Orders by the first key that differs (`ORDER BY a, b, c` over text columns).
    static func less(_ lhs: [String], _ rhs: [String]) -> Bool {
        for (left, right) in zip(lhs, rhs) where left != right { return less(left, right) }
        return lhs.count < rhs.count
    }

    /// `text ILIKE '%' || needle || '%'` with the needle's `%`, `_` and `\` escaped: a case-insensitive substring.
    static func contains(_ text: String, ignoringCase needle: String) -> Bool {
        needle.isEmpty || lower(text).utf8.firstRange(of: lower(needle).utf8) != nil
    }

    /// `%`, `_` and `\` escaped for `LIKE`, so a search for `100%` finds the text `100%` only.
    static func escapeLike(_ text: String) -> String {
        var result = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
