import Foundation
public import SyncDomain

/// What an import of one customer file did.
///
/// The counts describe the whole file, also when an earlier run of the same file was interrupted and this run
/// finished it: rows whose events the earlier run had appended count as what they did then (added, updated or
/// rejected), and ``resumedRows`` says how many they were. A row counts once, however many runs it took.
public struct ImportSummary: Sendable, Hashable {
    /// How the import ended.
    public enum Outcome: Sendable, Hashable {
        /// The file was imported (possibly finishing an interrupted earlier run).
        case completed
        /// The same file (same SHA-256) had been imported completely before: nothing was done. The counts are
        /// those recorded by that import.
        case alreadyImported
    }

    /// How the import ended.
    public var outcome: Outcome
    /// The import (derived from the file's SHA-256).
    public var importId: ImportID
    /// The file's name as recorded with the import (for an earlier import, the name it had then).
    public var fileName: String
    /// The file's SHA-256 (lowercase hex).
    public var sha256: String
    /// Rows whose customer number was new (or belonged to a customer deleted in the meantime).
    public var added: Int
    /// Rows that changed a known customer.
    public var updated: Int
    /// Rows identical to what was recorded: nothing appended.
    public var unchanged: Int
    /// Rows rejected (each recorded as `ImportRowRejected`).
    public var rejected: Int
    /// Rows whose events an earlier, interrupted run of the same file had already appended (included in the
    /// counts above); 0 for an import done in one run.
    public var resumedRows: Int
    /// The first rejected rows, in file order (at most ``CustomerImporter/listedRejections``).
    public var firstRejections: [ImportRowRejected]
    /// How long this run took.
    public var elapsed: Duration

    /// Every row counted.
    public var rows: Int { added + updated + unchanged + rejected }

    /// Creates a summary.
    public init(
        outcome: Outcome, importId: ImportID, fileName: String, sha256: String, added: Int, updated: Int, unchanged: Int, rejected: Int,
        resumedRows: Int, firstRejections: [ImportRowRejected], elapsed: Duration
    ) {
        self.outcome = outcome
        self.importId = importId
        self.fileName = fileName
        self.sha256 = sha256
        self.added = added
        self.updated = updated
        self.unchanged = unchanged
        self.rejected = rejected
        self.resumedRows = resumedRows
        self.firstRejections = firstRejections
        self.elapsed = elapsed
    }
}

/// How far an import is, reported after every chunk of rows.
public struct ImportProgress: Sendable, Hashable {
    /// Rows read so far (customers and rejected rows; blank rows are not counted).
    public var rows: Int
    /// Bytes of the file read so far.
    public var bytesRead: Int
    /// The file's size in bytes.
    public var totalBytes: Int
    /// Time since the import started (including the first pass that hashes the file).
    public var elapsed: Duration

    /// Creates a progress report.
    public init(rows: Int, bytesRead: Int, totalBytes: Int, elapsed: Duration) {
        self.rows = rows
        self.bytesRead = bytesRead
        self.totalBytes = totalBytes
        self.elapsed = elapsed
    }

    /// The part of the file read, 0…1 (1 for an empty file).
    public var fraction: Double {
        totalBytes > 0 ? min(1, Double(bytesRead) / Double(totalBytes)) : 1
    }

    /// Rows per second so far.
    public var rowsPerSecond: Double {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Double(rows) / seconds : 0
    }

    /// Rows expected in the whole file, estimated from the bytes read so far.
    public var estimatedTotalRows: Int {
        bytesRead > 0 ? max(rows, Int((Double(rows) / fraction).rounded())) : rows
    }
}
