/// The one shape of Accord's errors: a stable code to branch on, a message a person can act on, and the cause
/// behind it (a database error with its SQLSTATE, an e-conomic error with its code, a domain refusal).
///
/// A conforming type's `description` is usually ``codedDescription`` (`<Type>.<code>: <message> (<cause>)`); it is
/// declared on the type itself so that callers need not import this module to read it. Messages never contain
/// SQL, payloads or secrets; a cause's own description must keep that promise too (`PGError` and the API errors do).
public protocol CodedError: Error, Sendable, CustomStringConvertible {
    /// The kinds of failure of this error type.
    associatedtype Code: RawRepresentable<String>, Sendable, Hashable

    /// What kind of failure this is (stable: callers and HTTP answers branch on it).
    var code: Code { get }
    /// A sentence a person can act on.
    var message: String { get }
    /// The error behind this one, if any.
    var cause: (any Error)? { get }
}

extension CodedError {
    /// No cause.
    public var cause: (any Error)? { nil }

    /// `<Type>.<code>: <message>` and the cause's description in parentheses.
    public var codedDescription: String {
        "\(Self.self).\(code.rawValue): \(message)" + (cause.map { " (\($0))" } ?? "")
    }
}
