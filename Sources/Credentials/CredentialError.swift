public import CodedErrors
public import EventStore
public import PGClient

/// Why credentials could not be loaded, saved or decrypted.
///
/// Its ``description`` names the tenant, the field and the key ids involved, never a secret or a master key.
public struct CredentialError: CodedError {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// `ACCORD_MASTER_KEY` is not set.
        case masterKeyMissing
        /// The master key is not base64, or not 32 bytes.
        case masterKeyInvalid
        /// The stored secrets were sealed with a master key that is not configured.
        case wrongMasterKey
        /// A sealed value did not authenticate: it was altered, or copied from another tenant or column.
        case decryptionFailed
        /// The connections to save are incomplete or malformed (e.g. an empty token, a base URL without http).
        case invalidConnections
        /// The tenant does not exist.
        case unknownTenant
        /// The database call failed; see ``CredentialError/underlying``.
        case database
    }

    /// What kind of failure this is.
    public var code: Code
    /// A message a person can act on; never contains a secret.
    public var message: String
    /// The tenant involved, if any.
    public var tenant: TenantID?
    /// The database error behind this one, if any.
    public var underlying: PGError?
    /// The cause (``CodedError``).
    public var cause: (any Error)? { underlying }
    /// `<Type>.<code>: <message> (<cause>)`, free of SQL and secrets.
    public var description: String { codedDescription }

    /// Makes an error.
    public init(code: Code, message: String, tenant: TenantID? = nil, underlying: PGError? = nil) {
        self.code = code
        self.message = message
        self.tenant = tenant
        self.underlying = underlying
    }
}
