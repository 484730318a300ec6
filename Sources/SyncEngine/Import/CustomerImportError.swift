public import CodedErrors
public import Connectors

/// Why a customer file could not be imported. Problems with single rows are never errors: they are rejected
/// rows (`ImportRowRejected`) and the other rows are imported.
public struct CustomerImportError: CodedError {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// The file as a whole cannot be imported (see ``CustomerImportError/fileError``); nothing was recorded.
        case invalidFile
        /// The tenant does not exist; nothing was recorded.
        case unknownTenant
        /// The file's bytes changed while it was being imported. What was recorded stays (it is what the file
        /// said then); import the file again.
        case fileChanged
        /// Other writers kept changing the same customers; the import stopped and can be run again to finish.
        case contention
    }

    /// What kind of failure this is.
    public var code: Code
    /// A message a person can act on.
    public var message: String
    /// The whole-file problem, for ``Code/invalidFile``.
    public var fileError: CustomerFileError?
    /// The cause (``CodedError``).
    public var cause: (any Error)? { fileError }

    /// Makes an error.
    public init(code: Code, message: String, fileError: CustomerFileError? = nil) {
        self.code = code
        self.message = message
        self.fileError = fileError
    }

    /// The message.
    public var description: String { message }

    /// A whole-file problem.
    static func invalidFile(_ error: CustomerFileError, path: String) -> CustomerImportError {
        CustomerImportError(code: .invalidFile, message: "\(path): \(error.description)", fileError: error)
    }
}
