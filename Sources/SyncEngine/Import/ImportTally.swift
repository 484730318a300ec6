/// Counts of rows.
struct ImportTally: Sendable {
    var added = 0
    var updated = 0
    var unchanged = 0
    var rejected = 0
    /// Rows whose events an earlier run had appended.
    var resumed = 0

    var rows: Int { added + updated + unchanged + rejected }

    mutating func add(_ other: ImportTally) {
        added += other.added
        updated += other.updated
        unchanged += other.unchanged
        rejected += other.rejected
        resumed += other.resumed
    }
}
