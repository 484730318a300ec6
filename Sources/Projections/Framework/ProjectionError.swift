public import CodedErrors

/// Why a projection could not be run, rebuilt or swapped.
public struct ProjectionError: CodedError {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// No projector has that name.
        case unknownProjection
        /// Another process holds the projection's lock (e.g. a rebuild is already running).
        case busy
        /// The projection has no active version yet (it was never run).
        case notStarted
        /// Applying an event failed; the batch was rolled back (see ``ProjectionError/underlying``).
        case applyFailed
    }

    /// What went wrong.
    public var code: Code
    /// A message naming the projection and what to do.
    public var message: String
    /// The cause, if any.
    public var underlying: (any Error)?
    /// The cause (``CodedError``).
    public var cause: (any Error)? { underlying }
    /// `<Type>.<code>: <message> (<cause>)`, free of SQL and secrets.
    public var description: String { codedDescription }

    /// Makes an error.
    public init(code: Code, message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }
}
