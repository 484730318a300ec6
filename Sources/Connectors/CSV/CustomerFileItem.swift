/// What a customer file yields, row by row: a customer, or a row kept apart with the reasons.
public enum CustomerFileItem: Sendable, Hashable {
    /// A row that passed every rule.
    case row(CustomerFileRow)
    /// A row that did not; the file goes on.
    case rejected(CustomerFileRejection)
}

/// One customer read from a file.
public struct CustomerFileRow: Sendable, Hashable {
    /// The row's number as a spreadsheet shows it: the header is row 1, the first data row is row 2.
    public var rowNumber: Int
    /// The 1-based physical line where the row starts (differs from `rowNumber` after quoted line breaks).
    public var line: Int
    /// The fields in the source vocabulary (`customer_number`, `name`, `address.city`, `metadata.<key>`, ...):
    /// values trimmed, empty values left out, the country as an ISO alpha-2 code, a numeric customer number
    /// without leading zeros.
    public var fields: [String: String]

    /// The row's key (always present).
    public var customerNumber: String { fields[CustomerFileColumns.customerNumberKey] ?? "" }

    /// Creates a row.
    public init(rowNumber: Int, line: Int, fields: [String: String]) {
        self.rowNumber = rowNumber
        self.line = line
        self.fields = fields
    }
}

/// A row that could not be imported, with every problem found in it.
public struct CustomerFileRejection: Sendable, Hashable, CustomStringConvertible {
    /// The row's number as a spreadsheet shows it (see ``CustomerFileRow/rowNumber``).
    public var rowNumber: Int
    /// The 1-based physical line where the row starts.
    public var line: Int
    /// The problems, at least one.
    public var problems: [CustomerFileProblem]

    /// Creates a rejection.
    public init(rowNumber: Int, line: Int, problems: [CustomerFileProblem]) {
        self.rowNumber = rowNumber
        self.line = line
        self.problems = problems
    }

    /// `row 7 (line 9): email "x@": not an email address; ...`
    public var description: String {
        let place = rowNumber == line ? "row \(rowNumber)" : "row \(rowNumber) (line \(line))"
        return "\(place): " + problems.map(\.description).joined(separator: "; ")
    }
}

/// One problem with one row.
public struct CustomerFileProblem: Sendable, Hashable, CustomStringConvertible {
    /// Why the row was kept apart.
    public enum Reason: Sendable, Hashable {
        /// The row's quoting is broken (see ``CSVParser/Malformation``); the row is skipped and reading goes on
        /// at the next line.
        case malformed(CSVParser.Malformation)
        /// More non-empty fields than the header has columns.
        case tooManyFields(expected: Int, found: Int)
        /// Fewer fields than the header has columns.
        case tooFewFields(expected: Int, found: Int)
        /// The customer number is empty.
        case missingCustomerNumber
        /// A numeric customer number outside e-conomic's 1…999 999 999.
        case customerNumberOutOfRange
        /// A customer number with characters that are not allowed (control characters).
        case invalidCustomerNumber
        /// The email is not shaped like `name@domain.tld`.
        case invalidEmail
        /// The country is neither an ISO 3166 alpha-2 code nor a name we know.
        case unknownCountry
        /// The currency is not a 3-letter ISO 4217 code.
        case invalidCurrency
        /// The value is longer than allowed.
        case tooLong(limit: Int)
    }

    /// The column as named in the file's header, when the problem belongs to one column.
    public var column: String?
    /// The source key of that column (e.g. `address.country`).
    public var key: String?
    /// Why the row was kept apart.
    public var reason: Reason
    /// The offending value (shortened to 60 characters), when there is one.
    public var value: String?

    /// Creates a problem.
    public init(column: String? = nil, key: String? = nil, reason: Reason, value: String? = nil) {
        self.column = column
        self.key = key
        self.reason = reason
        self.value = value.map { $0.count > 60 ? String($0.prefix(57)) + "..." : $0 }
    }

    /// What went wrong and what to do, naming the column.
    public var message: String {
        switch reason {
        case .malformed(.characterAfterClosingQuote):
            return "a closing quote is followed by other text; put quotes around the whole value and double any quote inside it (\"\")"
        case .malformed(.unterminatedQuote):
            return "a quote opened in this row is never closed; the row was skipped and reading went on at the next line"
        case .malformed(.recordTooLarge(let limit)):
            return "the row is longer than \(limit) bytes (often a quote that is never closed); it was skipped"
        case .malformed(.unbalancedQuotes(let fields, let expected)):
            return
                "a quote in this row seems to swallow the following lines (\(fields) fields instead of \(expected)); the row was skipped and reading went on at the next line"
        case .tooManyFields(let expected, let found):
            return "the row has \(found) fields but the header has \(expected) columns; quote values that contain the separator"
        case .tooFewFields(let expected, let found):
            return "the row has \(found) fields but the header has \(expected) columns"
        case .missingCustomerNumber:
            return "the customer number is empty; every row needs one"
        case .customerNumberOutOfRange:
            return "the customer number must be between 1 and 999999999"
        case .invalidCustomerNumber:
            return "the customer number contains control characters"
        case .invalidEmail:
            return "not an email address (expected name@domain.tld)"
        case .unknownCountry:
            return "unknown country; use an ISO code like DK, SE, DE or a country name"
        case .invalidCurrency:
            return "not a currency code; use a 3-letter ISO code like DKK or EUR"
        case .tooLong(let limit):
            return "longer than \(limit) characters"
        }
    }

    /// `email "x@": not an email address ...`
    public var description: String {
        var subject = column.map { "\($0)" } ?? ""
        if let value { subject += subject.isEmpty ? "\"\(value)\"" : " \"\(value)\"" }
        return subject.isEmpty ? message : "\(subject): \(message)"
    }
}
