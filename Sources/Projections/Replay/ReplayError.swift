public import CodedErrors

/// Why a replay could not be run; every message says what to fix.
public struct ReplayError: CodedError {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The tenant does not exist.
        case unknownTenant
        /// The proposed settings are not settings JSON.
        case unreadableSettings
        /// The proposed settings break the rules the settings command enforces (``problems`` lists each).
        case invalidSettings
        /// `at` names a position that holds no event of the tenant.
        case unknownPosition
        /// The customer asked for is not in the tenant's log (up to the position asked for).
        case unknownCustomer
    }

    /// What went wrong.
    public var code: Code
    /// A message naming what to fix.
    public var message: String
    /// Every problem with invalid settings, one sentence each.
    public var problems: [String]
    /// The cause, if any.
    public var underlying: (any Error)?
    /// The cause (``CodedError``).
    public var cause: (any Error)? { underlying }
    /// `<Type>.<code>: <message> (<cause>)`, free of SQL and secrets.
    public var description: String { codedDescription }

    /// Makes an error.
    public init(code: Code, message: String, problems: [String] = [], underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.problems = problems
        self.underlying = underlying
    }
}
