public import CodedErrors
public import PGClient

/// An error from the event store. It keeps the database cause (``underlying``, with its SQLSTATE)
/// while its ``description`` stays free of SQL, values and secrets.
public struct EventStoreError: CodedError {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// Another writer appended to the stream first (or the expected version was wrong); reload and retry.
        case concurrencyConflict
        /// The tenant does not exist.
        case unknownTenant
        /// A tenant-scoped transaction tried to touch another tenant's rows (row-level security refused it).
        case tenantMismatch
        /// A tenant id broke the naming rule.
        case invalidTenantID
        /// A stream id was empty or too long.
        case invalidStreamID
        /// An event's type, schema version or payload was rejected by the table's checks.
        case invalidEvent
        /// A tenant with this id already exists.
        case duplicateTenant
        /// Any other database failure; see ``EventStoreError/underlying``.
        case database
    }

    /// What kind of failure this is.
    public var code: Code
    /// A message a person can act on; never contains SQL or payloads.
    public var message: String
    /// The tenant involved, if known.
    public var tenant: TenantID?
    /// The stream involved, if known.
    public var stream: StreamID?
    /// The version the writer expected, for a concurrency conflict.
    public var expectedVersion: ExpectedVersion?
    /// The stream's actual version when the conflict was detected, if known.
    public var actualVersion: Int64?
    /// The database error behind this one, if any.
    public var underlying: PGError?
    /// The cause (``CodedError``).
    public var cause: (any Error)? { underlying }
    /// `<Type>.<code>: <message> (<cause>)`, free of SQL and secrets.
    public var description: String { codedDescription }

    /// Makes an error.
    public init(
        code: Code, message: String, tenant: TenantID? = nil, stream: StreamID? = nil,
        expectedVersion: ExpectedVersion? = nil, actualVersion: Int64? = nil, underlying: PGError? = nil
    ) {
        self.code = code
        self.message = message
        self.tenant = tenant
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.actualVersion = actualVersion
        self.underlying = underlying
    }

    /// Translates a database error raised by an event-store statement.
    static func from(_ error: any Error, tenant: TenantID?, stream: StreamID?, expected: ExpectedVersion? = nil) -> any Error {
        guard let error = error as? PGError else { return error }
        switch (error.sqlState, error.constraint) {
        case (SQLState(rawValue: "P0409")?, _):
            // Raised by events_expect_version; its detail is `actual=N expected=M`.
            let actual = error.detail?.split(separator: " ").first { $0.hasPrefix("actual=") }.flatMap { Int64($0.dropFirst(7)) }
            return EventStoreError(
                code: .concurrencyConflict,
                message: "stream \(stream.map(\.rawValue) ?? "?") is at version \(actual.map(String.init) ?? "?"), not the expected \(expected.map(\.description) ?? "?")",
                tenant: tenant, stream: stream, expectedVersion: expected, actualVersion: actual, underlying: error)
        case (.uniqueViolation?, "events_stream_version_unique"?):
            return EventStoreError(
                code: .concurrencyConflict,
                message: "stream \(stream.map(\.rawValue) ?? "?") was appended to concurrently (expected version \(expected.map(\.description) ?? "?"))",
                tenant: tenant, stream: stream, expectedVersion: expected, underlying: error)
        case (.foreignKeyViolation?, "events_tenant_id_fkey"?):
            return EventStoreError(
                code: .unknownTenant, message: "tenant \(tenant.map(\.rawValue) ?? "?") does not exist",
                tenant: tenant, stream: stream, underlying: error)
        case (.insufficientPrivilege?, _):
            return EventStoreError(
                code: .tenantMismatch,
                message: "row-level security refused access outside tenant \(tenant.map(\.rawValue) ?? "(none set)")",
                tenant: tenant, stream: stream, underlying: error)
        case (.checkViolation?, _), (.invalidTextRepresentation?, _), (.notNullViolation?, _):
            return EventStoreError(
                code: .invalidEvent, message: "an event was rejected by the table's checks", tenant: tenant, stream: stream, underlying: error)
        default:
            return EventStoreError(code: .database, message: "the event store's database call failed", tenant: tenant, stream: stream, underlying: error)
        }
    }
}
