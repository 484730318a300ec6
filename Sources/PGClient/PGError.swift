/// An error from PostgreSQL or from libpq.
///
/// It keeps what a caller needs to react (the ``Code``, the server's SQLSTATE, the constraint and table),
/// and the server's own texts (``message``, ``detail``, ``hint``) for whoever reads logs with care.
///
/// Its ``description`` is safe for logs and user-facing messages: it never prints SQL text, bind values,
/// server messages (which may quote a value, e.g. `invalid input syntax for type integer: "…"`)
/// or connection passwords. Use ``debugDescription`` (`String(reflecting:)`) when you need the server's text.
public struct PGError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Sendable {
            case connectionFailed
            case connectionClosed
            case queryFailed
            case copyFailed
            case decodingFailed
            case cancelled
            case connectionBusy
            case poolShutdown
            case poolTimeout
            case protocolViolation
        }

        let base: Base

        /// Connecting to the server failed (unreachable, authentication, unknown database).
        public static let connectionFailed = Code(base: .connectionFailed)
        /// The connection was lost or closed while in use.
        public static let connectionClosed = Code(base: .connectionClosed)
        /// The server rejected a statement; see ``PGError/sqlState``.
        public static let queryFailed = Code(base: .queryFailed)
        /// A `COPY` stream failed.
        public static let copyFailed = Code(base: .copyFailed)
        /// A value could not be decoded into the requested Swift type.
        public static let decodingFailed = Code(base: .decodingFailed)
        /// The statement was cancelled (task cancellation sends `PQcancel`).
        public static let cancelled = Code(base: .cancelled)
        /// Two tasks tried to use one connection at the same time (a programming error).
        public static let connectionBusy = Code(base: .connectionBusy)
        /// The pool has been shut down.
        public static let poolShutdown = Code(base: .poolShutdown)
        /// No connection became free within the pool's lease timeout.
        public static let poolTimeout = Code(base: .poolTimeout)
        /// The server answered in a way this client did not expect.
        public static let protocolViolation = Code(base: .protocolViolation)

        /// The code's name, e.g. `queryFailed`.
        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The five-character SQLSTATE the server reported, if any (e.g. `23505`).
    public var sqlState: SQLState?
    /// The server's primary message. May quote values; never shown by ``description``.
    public var message: String?
    /// The server's detail text. May quote values (e.g. the duplicate key); never shown by ``description``.
    public var detail: String?
    /// The server's hint, if any.
    public var hint: String?
    /// The constraint that was violated, if any.
    public var constraint: String?
    /// The schema of the table involved, if any.
    public var schema: String?
    /// The table involved, if any.
    public var table: String?
    /// The column involved, if any.
    public var column: String?

    /// Makes an error; used by the client and by tests.
    public init(
        code: Code,
        sqlState: SQLState? = nil,
        message: String? = nil,
        detail: String? = nil,
        hint: String? = nil,
        constraint: String? = nil,
        schema: String? = nil,
        table: String? = nil,
        column: String? = nil
    ) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.schema = schema
        self.table = table
        self.column = column
    }

    /// True when retrying the whole transaction may succeed (serialization failure, deadlock, lost connection).
    public var isRetryable: Bool {
        if code == .connectionClosed { return true }
        guard let sqlState else { return false }
        return sqlState == .serializationFailure || sqlState == .deadlockDetected
    }

    /// True when the server refused a prepared statement because a table or view it reads changed its result columns
    /// (``PreparedStatements`` then prepares it afresh).
    var isStalePreparedStatement: Bool {
        sqlState == .featureNotSupported && message?.contains("cached plan must not change result type") == true
    }

    /// A log-safe summary: the code, the SQLSTATE and its name, the constraint and table; no SQL, values or secrets.
    public var description: String {
        var parts = ["PGError.\(code)"]
        if let sqlState {
            parts.append("SQLSTATE \(sqlState.rawValue)" + (sqlState.name.map { " (\($0))" } ?? ""))
        }
        if let constraint { parts.append("constraint \(constraint)") }
        if let table { parts.append("table \(schema.map { "\($0)." } ?? "")\(table)") }
        if let column { parts.append("column \(column)") }
        return parts.joined(separator: ", ")
    }

    /// The full error including the server's message, detail and hint. May contain values: keep it out of user output.
    public var debugDescription: String {
        var text = description
        if let message { text += "; message: \(message)" }
        if let detail { text += "; detail: \(detail)" }
        if let hint { text += "; hint: \(hint)" }
        return text
    }
}
