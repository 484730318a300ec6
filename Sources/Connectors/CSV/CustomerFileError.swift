public import CodedErrors
/// A problem with a customer file as a whole: nothing in it can be imported. (Problems with single rows are
/// ``CustomerFileProblem``s and never stop the file.)
public struct CustomerFileError: CodedError, Hashable {
    /// What kind of problem it is.
    public enum Code: String, Sendable, Hashable {
        /// The file has no content (no bytes, or only a byte order mark, spaces and blank lines).
        case empty
        /// The first line cannot be read as a header.
        case noHeader
        /// Two columns map to the same field.
        case duplicateColumns
        /// No column holds the customer number.
        case missingCustomerNumberColumn
        /// More columns than ``CustomerFileLimits/maxColumns``.
        case tooManyColumns
        /// The file is not UTF-8.
        case invalidUTF8
        /// The file could not be opened or read.
        case unreadable
    }

    /// What kind of problem it is.
    public var code: Code
    /// The 1-based line the problem was found on, when it has one.
    public var line: Int?
    /// A sentence a user can act on.
    public var message: String

    /// Creates an error.
    public init(code: Code, line: Int? = nil, message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    /// The message, prefixed with the line when there is one.
    public var description: String {
        line.map { "line \($0): \(message)" } ?? message
    }

    static let empty = CustomerFileError(code: .empty, message: "the file is empty: it needs a header row and at least one customer row")

    static func noHeader(line: Int, detail: String) -> CustomerFileError {
        CustomerFileError(
            code: .noHeader, line: line,
            message: "\(detail); the first line must name the columns, e.g. customer_number,name,email")
    }

    static func duplicateColumns(_ duplicates: [(key: String, headers: [String])]) -> CustomerFileError {
        let list = duplicates.map { duplicate in
            "\(duplicate.headers.map { "\"\($0)\"" }.joined(separator: " and ")) (both mean \(duplicate.key))"
        }
        return CustomerFileError(
            code: .duplicateColumns, line: 1,
            message: "duplicate columns: \(list.joined(separator: "; ")); keep one of each and import again")
    }

    static func missingCustomerNumberColumn(headers: [String]) -> CustomerFileError {
        let found = headers.isEmpty ? "none" : headers.map { "\"\($0)\"" }.joined(separator: ", ")
        return CustomerFileError(
            code: .missingCustomerNumberColumn, line: 1,
            message: "no customer number column (found: \(found)); add a column named customer_number (or kundenummer)")
    }

    static func tooManyColumns(count: Int, limit: Int) -> CustomerFileError {
        CustomerFileError(code: .tooManyColumns, line: 1, message: "the header has \(count) columns; at most \(limit) are allowed")
    }

    static func invalidUTF8(line: Int) -> CustomerFileError {
        CustomerFileError(
            code: .invalidUTF8, line: line,
            message: "the file is not UTF-8 text (it may be saved as Windows-1252 or Latin-1); save it as \"CSV UTF-8\" and import again")
    }

    static func unreadable(path: String, reason: String) -> CustomerFileError {
        CustomerFileError(code: .unreadable, message: "cannot read \(path): \(reason)")
    }
}
