public import PGClient

/// The one order in which locks on a projection's views are taken, by readers and by the blue/green swap alike.
///
/// A swap needs an exclusive lock on each view of a projection it repoints; a reader that reads several views of
/// one projection in a transaction holds a share lock on each until it ends. Taken in different orders, the two
/// deadlock and PostgreSQL aborts one of them — a reader's request answered 500. Both therefore lock a
/// projection's views up front, in one statement, sorted by name: whoever gets the first view gets the rest.
public enum ReadModelLock {
    /// `LOCK TABLE` on the views, sorted by name, in `ACCESS SHARE` mode: what a reader of several views of one
    /// projection runs first in its transaction.
    /// - Parameter views: view names (the projection tables' names, e.g. `customers`, `unpartnered`).
    public static func share(_ views: [String]) -> PGQuery { statement(views, mode: "ACCESS SHARE") }

    /// `LOCK TABLE` on the views, sorted by name, in `ACCESS EXCLUSIVE` mode: what the swap runs before it
    /// repoints them.
    static func exclusive(_ views: [String]) -> PGQuery { statement(views, mode: "ACCESS EXCLUSIVE") }

    private static func statement(_ views: [String], mode: String) -> PGQuery {
        precondition(views.allSatisfy(ProjectionTable.isIdentifier), "view names are identifiers from the code")
        return PGQuery(unsafeSQL: "LOCK TABLE \(views.sorted().map { "\"\($0)\"" }.joined(separator: ", ")) IN \(mode) MODE")
    }
}
