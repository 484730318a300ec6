import Foundation

/// Where and how to connect: a libpq connection URI (`postgresql://…`) or a `key=value` conninfo string,
/// usually taken from `DATABASE_URL`.
///
/// The string goes to `PQconnectdbParams` as an expandable `dbname`, so every libpq option works
/// (`host` may be a unix-socket directory). Defaults below apply unless the string sets them.
/// ``description`` never shows the password.
public struct PGConfiguration: Sendable, CustomStringConvertible {
    /// The connection URI or conninfo string.
    public var connectionString: String
    /// `application_name` reported to the server (shown in `pg_stat_activity`), unless the string sets one.
    public var applicationName: String
    /// Seconds libpq waits for a connection, unless the string sets `connect_timeout`.
    public var connectTimeoutSeconds: Int
    /// A database name that replaces the one in ``connectionString`` (e.g. a per-test database), if set.
    public var database: String?
    /// A user name that replaces the one in ``connectionString`` (e.g. the owner role for migrations), if set.
    public var user: String?
    /// Whether connections prepare the statements they run again (see ``PGConnection``). Turn it off only behind a
    /// pooler that hands each transaction another server session (PgBouncer's transaction mode before 1.21), where a
    /// statement prepared in one session is unknown in the next.
    public var preparesStatements: Bool

    /// Makes a configuration.
    /// - Parameters:
    ///   - connectionString: a `postgresql://` URI or a conninfo string.
    ///   - applicationName: the default `application_name`.
    ///   - connectTimeoutSeconds: the default `connect_timeout`.
    ///   - preparesStatements: whether connections prepare the statements they run again.
    public init(connectionString: String, applicationName: String = "accord", connectTimeoutSeconds: Int = 10, preparesStatements: Bool = true) {
        self.connectionString = connectionString
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.preparesStatements = preparesStatements
    }

    /// Keywords and values for `PQconnectdbParams`. Defaults come first so that the expanded
    /// connection string (the last `dbname`) overrides them.
    var keywordValuePairs: [(String, String)] {
        [
            ("application_name", applicationName),
            ("connect_timeout", String(connectTimeoutSeconds)),
            ("client_encoding", "UTF8"),
            ("dbname", connectionString),
        ] + (database.map { [("dbname", $0)] } ?? []) + (user.map { [("user", $0)] } ?? [])
    }

    /// The same server and credentials, another database.
    public func with(database: String) -> PGConfiguration {
        var copy = self
        copy.database = database
        return copy
    }

    /// The same server and database as another user (with the password the string carries, if any).
    public func with(user: String) -> PGConfiguration {
        var copy = self
        copy.user = user
        return copy
    }

    /// The connection string with any password replaced by `***`.
    public var description: String {
        Self.redacting(connectionString) + (database.map { " (database \($0))" } ?? "") + (user.map { " (user \($0))" } ?? "")
    }

    /// Replaces passwords in a URI (`user:secret@`), in URI query parameters (`password=secret`)
    /// and in conninfo strings (`password=secret` or `password='s e c'`) with `***`.
    public static func redacting(_ text: String) -> String {
        var result = text
        // URI userinfo: scheme://user:password@host
        if let schemeEnd = result.range(of: "://") {
            let rest = result[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@"),
                let colon = rest[..<at].firstIndex(of: ":")
            {
                result.replaceSubrange(result.index(after: colon)..<at, with: "***")
            }
        }
        // key=value forms, in a URI query or a conninfo string.
        var output = ""
        var remaining = Substring(result)
        while let range = remaining.range(of: "password=", options: .caseInsensitive) {
            output += remaining[..<range.upperBound]
            output += "***"
            var tail = remaining[range.upperBound...]
            if tail.first == "'" {
                tail = tail.dropFirst()
                var escaped = false
                while let character = tail.first {
                    tail = tail.dropFirst()
                    if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "'" { break }
                }
            } else {
                tail = tail.drop(while: { $0 != "&" && $0 != " " })
            }
            remaining = tail
        }
        output += remaining
        return output
    }
}
