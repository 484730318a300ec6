public import CodedErrors
public import PGClient

/// Why migrating stopped. Nothing of a failing file is applied (each file runs in one transaction).
public struct MigrationError: CodedError {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The migrations directory could not be found or read.
        case directoryUnreadable
        /// A `.sql` file is not named `NNNN_name.sql`.
        case badFileName
        /// Two files share a number.
        case duplicateVersion
        /// A file that was already applied has been edited since (its checksum differs). Migrations are
        /// forward-only: add a new file instead.
        case checksumMismatch
        /// The database has a migration this build does not know (it is newer than the code).
        case unknownAppliedMigration
        /// The database is missing migrations (from a status check before serving).
        case pending
        /// A migration's SQL failed.
        case failed
    }

    /// What went wrong.
    public var code: Code
    /// What to do about it, naming the file.
    public var message: String
    /// The database error, when a migration's SQL failed.
    public var underlying: PGError?
    /// The cause (``CodedError``).
    public var cause: (any Error)? { underlying }

    /// Makes an error.
    public init(code: Code, message: String, underlying: PGError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// The message, plus the database error's safe summary and the server's message (migration SQL is our own
    /// trusted text, so its error text is shown to help fix it).
    public var description: String {
        var text = "MigrationError.\(code.rawValue): \(message)"
        if let underlying {
            text += " (\(underlying)\(underlying.message.map { ": \($0)" } ?? ""))"
        }
        return text
    }
}
