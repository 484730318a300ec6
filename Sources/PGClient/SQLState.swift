/// A five-character PostgreSQL error code (SQLSTATE), with names for the ones Accord reacts to.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The five characters, e.g. `23505`.
    public let rawValue: String

    /// Wraps a SQLSTATE string.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `23505`: a unique constraint was violated.
    public static let uniqueViolation = SQLState(rawValue: "23505")
    /// `23503`: a foreign key was violated.
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    /// `23502`: a NOT NULL constraint was violated.
    public static let notNullViolation = SQLState(rawValue: "23502")
    /// `23514`: a CHECK constraint was violated.
    public static let checkViolation = SQLState(rawValue: "23514")
    /// `42501`: insufficient privilege (also raised by row-level security on a rejected write).
    public static let insufficientPrivilege = SQLState(rawValue: "42501")
    /// `40001`: serialization failure; retry the transaction.
    public static let serializationFailure = SQLState(rawValue: "40001")
    /// `40P01`: deadlock detected; retry the transaction.
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    /// `57014`: the statement was cancelled.
    public static let queryCanceled = SQLState(rawValue: "57014")
    /// `22P02`: invalid text representation of a value.
    public static let invalidTextRepresentation = SQLState(rawValue: "22P02")
    /// `42P01`: the table does not exist.
    public static let undefinedTable = SQLState(rawValue: "42P01")
    /// `42601`: syntax error.
    public static let syntaxError = SQLState(rawValue: "42601")
    /// `55P03`: lock not available.
    public static let lockNotAvailable = SQLState(rawValue: "55P03")
    /// `P0001`: raised by a PL/pgSQL `RAISE EXCEPTION` without its own code.
    public static let raiseException = SQLState(rawValue: "P0001")
    /// `feature_not_supported` (also: a prepared statement whose result columns changed under it).
    public static let featureNotSupported = SQLState(rawValue: "0A000")

    /// The condition name for well-known codes (e.g. `unique_violation`), or the class name.
    public var name: String? {
        switch rawValue {
        case "23505": return "unique_violation"
        case "23503": return "foreign_key_violation"
        case "23502": return "not_null_violation"
        case "23514": return "check_violation"
        case "42501": return "insufficient_privilege"
        case "40001": return "serialization_failure"
        case "40P01": return "deadlock_detected"
        case "57014": return "query_canceled"
        case "22P02": return "invalid_text_representation"
        case "42P01": return "undefined_table"
        case "42601": return "syntax_error"
        case "55P03": return "lock_not_available"
        case "P0001": return "raise_exception"
        case "0A000": return "feature_not_supported"
        default: return Self.className(rawValue.prefix(2))
        }
    }

    private static func className(_ prefix: Substring) -> String? {
        switch prefix {
        case "08": return "connection_exception"
        case "22": return "data_exception"
        case "23": return "integrity_constraint_violation"
        case "25": return "invalid_transaction_state"
        case "28": return "invalid_authorization_specification"
        case "3D": return "invalid_catalog_name"
        case "40": return "transaction_rollback"
        case "42": return "syntax_error_or_access_rule_violation"
        case "53": return "insufficient_resources"
        case "57": return "operator_intervention"
        case "XX": return "internal_error"
        default: return nil
        }
    }

    /// The five characters.
    public var description: String { rawValue }
}
