public import CodedErrors
import EventStore

/// Why a command was refused or failed. Domain refusals keep the domain's own error (and message), which
/// names what is wrong and what to do.
public struct CommandError: CodedError {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// A business rule refused the command (already partnered, excluded, number taken, unknown customer…).
        case rejected
        /// The input is malformed (e.g. invalid settings, unknown field).
        case invalidInput
        /// Other writers kept changing the same state; the command gave up after several attempts.
        case contention
        /// The tenant does not exist.
        case unknownTenant
        /// A recorded event the decision needs cannot be decoded by this build (an unknown type, a newer schema
        /// version, a bad payload); the message names its stream and position. Nothing was appended.
        case unreadableEvent
    }

    /// What kind of failure this is.
    public var code: Code
    /// A message a person can act on.
    public var message: String
    /// The domain or infrastructure error behind it.
    public var underlying: (any Error)?
    /// The cause (``CodedError``).
    public var cause: (any Error)? { underlying }

    /// Makes an error.
    public init(code: Code, message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// The message.
    public var description: String { message }

    /// A domain refusal.
    static func rejected(_ error: any Error) -> CommandError {
        CommandError(code: .rejected, message: "\(error)", underlying: error)
    }

    /// Translates an event-store failure that is not a concurrency conflict.
    static func from(_ error: any Error) -> any Error {
        if let error = error as? EventStoreError, error.code == .unknownTenant {
            return CommandError(code: .unknownTenant, message: error.message, underlying: error)
        }
        return error
    }
}
