public import Foundation
public import Logging
public import PGClient
public import SyncEngine
public import Server

/// Everything `accord serve` needs, merged from command-line options over the environment, validated once.
///
/// Keys (environment variable in brackets):
/// - database URL [`DATABASE_URL`]: a libpq URI or conninfo;
/// - database connections of the workers (reactor, projections, outbound, ingest) [`ACCORD_DB_CONNECTIONS`], default
///   10, and of the HTTP server, a pool of its own [`ACCORD_HTTP_DB_CONNECTIONS`], default 4: requests from the
///   internet never take the workers' connections;
/// - HTTP host and port [`ACCORD_HOST`, `ACCORD_PORT`], default 127.0.0.1:8080;
/// - public base URL [`ACCORD_PUBLIC_URL`], default `http://<host>:<port>` (printed for webhook URLs);
/// - migrate on start [`ACCORD_MIGRATE`], default false: apply pending migrations instead of refusing to start;
/// - e-conomic requests per second per tenant [`ACCORD_ECONOMIC_RATE`], default 1 (burst 10): e-conomic's fair-use
///   policy allows 50,000 calls per agreement per day and throttles with 429s;
/// - seconds between catch-ups from Stripe's events list [`ACCORD_STRIPE_CATCH_UP_INTERVAL`], default 60: how
///   long a Stripe change whose webhook was lost waits at most before it is read (each catch-up costs three
///   requests per tenant when nothing happened);
/// - seconds between reads of the customers changed in e-conomic [`ACCORD_ECONOMIC_POLL_INTERVAL`], default 30: how
///   long an accountant's edit waits at most before Accord sees it (each read is one request per tenant);
/// - days settled webhook deliveries (Stripe's copies of customers) are kept [`ACCORD_WEBHOOK_RETENTION_DAYS`],
///   default 30;
/// - outbound requests of one tenant in flight at once [`ACCORD_OUTBOUND_TENANT_IN_FLIGHT`], default 4 (of the
///   worker's 8 slots): a tenant with a backlog never holds every slot, across all processes;
/// - the reactor's shards [`ACCORD_REACTOR_SHARDS`], default 8 (tenants spread over them by a stable hash; the
///   same number in every process on one database), its tasks in this process [`ACCORD_REACTOR_TASKS`], default 2,
///   and how long a shard's lease lasts [`ACCORD_REACTOR_LEASE`], default 10 seconds: a killed process's shards are
///   taken over after at most this;
/// - rate limits in requests per second, each with a burst of twice that (at least 10), `0` turning it off: per
///   client address on everything but the probes and webhooks [`ACCORD_RATE_LIMIT_CLIENT`], default 50; per
///   authenticated tenant on the API and pages [`ACCORD_RATE_LIMIT_TENANT`], default 100; Stripe webhooks per tenant
///   [`ACCORD_RATE_LIMIT_WEBHOOK`], default 500;
/// - reverse proxies whose `X-Forwarded-For` names the client [`ACCORD_TRUSTED_PROXIES`], comma-separated
///   addresses, default none;
/// - cookies without `Secure` [`ACCORD_INSECURE_COOKIES`], default false; accepted only with a loopback host (plain
///   HTTP on a developer's machine or the demo);
/// - customers a settings change may change before it is saved only once confirmed [`ACCORD_CONFIRM_CHANGES_ABOVE`],
///   default 100 (the API's `"confirm": true`, the settings page's confirmation step);
/// - prepared statements [`ACCORD_DB_PREPARED_STATEMENTS`], default on: each connection prepares the statements it
///   runs again; `off` only behind a pooler that does not keep a session per connection (PgBouncer's transaction mode
///   before 1.21);
/// - log level [`ACCORD_LOG_LEVEL`], default info.
///
/// ``description`` never shows the database password.
public struct AppConfiguration: Sendable, CustomStringConvertible {
    /// Where the database is.
    public var database: PGConfiguration
    /// The workers' pool's size.
    public var databaseConnections: Int
    /// The HTTP server's pool's size.
    public var httpDatabaseConnections: Int
    /// The HTTP listener's host.
    public var host: String
    /// The HTTP listener's port.
    public var port: Int
    /// The URL people and Stripe reach the server at; nil: `http://host:port` (with port 0, the port the server bound).
    public var publicURL: String?
    /// Apply pending migrations on start.
    public var migrate: Bool
    /// The log level.
    public var logLevel: Logger.Level
    /// The most e-conomic requests per second the outbound worker sends for one tenant.
    public var economicRequestsPerSecond: Double
    /// The time between catch-ups from Stripe's events list.
    public var stripeCatchUpInterval: Duration
    /// The time between reads of the customers changed in e-conomic.
    public var economicPollInterval: Duration
    /// Days settled webhook deliveries are kept.
    public var webhookRetentionDays: Int
    /// The most outbound requests of one tenant in flight at once.
    public var outboundTenantInFlight: Int
    /// The reactor's shards, tasks and lease time.
    public var reactorSharding: ReactorSharding
    /// The HTTP server's rate limits and trusted proxies.
    public var edgeLimits: EdgeLimits
    /// Whether cookies are `Secure`.
    public var secureCookies: Bool
    /// How many customers a settings change may change before it must be confirmed.
    public var confirmChangesAbove: Int

    /// A configuration from values already merged (tests, the demo).
    public init(
        database: PGConfiguration, databaseConnections: Int = 10, host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil,
        migrate: Bool = false, logLevel: Logger.Level = .info, economicRequestsPerSecond: Double = 1, stripeCatchUpInterval: Duration = .seconds(60),
        economicPollInterval: Duration = .seconds(30), webhookRetentionDays: Int = 30, outboundTenantInFlight: Int = 4,
        httpDatabaseConnections: Int = 4, reactorSharding: ReactorSharding = ReactorSharding(), edgeLimits: EdgeLimits = EdgeLimits(),
        secureCookies: Bool = true, confirmChangesAbove: Int = 100
    ) {
        self.confirmChangesAbove = confirmChangesAbove
        self.reactorSharding = reactorSharding
        self.edgeLimits = edgeLimits
        self.secureCookies = secureCookies
        self.httpDatabaseConnections = httpDatabaseConnections
        self.webhookRetentionDays = webhookRetentionDays
        self.outboundTenantInFlight = outboundTenantInFlight
        self.economicRequestsPerSecond = economicRequestsPerSecond
        self.stripeCatchUpInterval = stripeCatchUpInterval
        self.economicPollInterval = economicPollInterval
        self.database = database
        self.databaseConnections = databaseConnections
        self.host = host
        self.port = port
        self.publicURL = publicURL
        self.migrate = migrate
        self.logLevel = logLevel
    }

    /// Merges explicit values (e.g. from options; nil = not given) over the environment and validates them.
    /// - Throws: ``ConfigurationError`` naming the key and the problem.
    public static func resolve(
        databaseURL: String? = nil, databaseConnections: Int? = nil, host: String? = nil, port: Int? = nil, publicURL: String? = nil,
        migrate: Bool? = nil, logLevel: Logger.Level? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AppConfiguration {
        guard let url = databaseURL ?? environment["DATABASE_URL"], !url.isEmpty else {
            throw ConfigurationError(key: "DATABASE_URL", problem: "is not set (pass --database-url or set DATABASE_URL)")
        }
        let connections = try databaseConnections ?? environment["ACCORD_DB_CONNECTIONS"].map { try integer($0, key: "ACCORD_DB_CONNECTIONS") } ?? 10
        guard (2...200).contains(connections) else { throw ConfigurationError(key: "ACCORD_DB_CONNECTIONS", problem: "must be between 2 and 200") }
        let port = try port ?? environment["ACCORD_PORT"].map { try integer($0, key: "ACCORD_PORT") } ?? 8080
        guard (0...65_535).contains(port) else { throw ConfigurationError(key: "ACCORD_PORT", problem: "must be between 0 and 65535") }
        let level: Logger.Level
        if let logLevel {
            level = logLevel
        } else if let text = environment["ACCORD_LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: text) else {
                throw ConfigurationError(key: "ACCORD_LOG_LEVEL", problem: "must be one of trace, debug, info, notice, warning, error, critical")
            }
            level = parsed
        } else {
            level = .info
        }
        let host = host ?? environment["ACCORD_HOST"] ?? "127.0.0.1"
        let rate =
            try environment["ACCORD_ECONOMIC_RATE"].map { text -> Double in
                guard let value = Double(text), value > 0, value <= 1000 else {
                    throw ConfigurationError(key: "ACCORD_ECONOMIC_RATE", problem: "must be a number of requests per second between 0 and 1000")
                }
                return value
            } ?? 1
        let catchUp = try wholeNumber("ACCORD_STRIPE_CATCH_UP_INTERVAL", of: "seconds", in: 1...86_400, default: 60, environment)
        let poll = try wholeNumber("ACCORD_ECONOMIC_POLL_INTERVAL", of: "seconds", in: 1...86_400, default: 30, environment)
        let retention = try wholeNumber("ACCORD_WEBHOOK_RETENTION_DAYS", of: "days", in: 1...3650, default: 30, environment)
        let tenantInFlight = try wholeNumber("ACCORD_OUTBOUND_TENANT_IN_FLIGHT", of: "requests", in: 1...1000, default: 4, environment)
        let httpConnections = try wholeNumber("ACCORD_HTTP_DB_CONNECTIONS", of: "connections", in: 1...200, default: 4, environment)
        let sharding = ReactorSharding(
            shards: try wholeNumber("ACCORD_REACTOR_SHARDS", of: "shards", in: 1...4096, default: 8, environment),
            tasks: try wholeNumber("ACCORD_REACTOR_TASKS", of: "tasks", in: 1...64, default: 2, environment),
            lease: .seconds(try wholeNumber("ACCORD_REACTOR_LEASE", of: "seconds", in: 1...3600, default: 10, environment)))
        let defaults = EdgeLimits()
        let limits = EdgeLimits(
            perClient: try requestRate("ACCORD_RATE_LIMIT_CLIENT", default: defaults.perClient, environment),
            perTenant: try requestRate("ACCORD_RATE_LIMIT_TENANT", default: defaults.perTenant, environment),
            webhooksPerTenant: try requestRate("ACCORD_RATE_LIMIT_WEBHOOK", default: defaults.webhooksPerTenant, environment),
            trustedProxies: Set(
                (environment["ACCORD_TRUSTED_PROXIES"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }))
        let confirmAbove = try wholeNumber("ACCORD_CONFIRM_CHANGES_ABOVE", of: "customers", in: 0...100_000_000, default: 100, environment)
        let insecureCookies = environment["ACCORD_INSECURE_COOKIES"] == "true"
        if insecureCookies && !["127.0.0.1", "::1", "localhost"].contains(host) {
            throw ConfigurationError(
                key: "ACCORD_INSECURE_COOKIES", problem: "is allowed only when ACCORD_HOST is a loopback address (plain HTTP on this machine)")
        }
        let prepares = try preparesStatements(environment)
        return AppConfiguration(
            database: PGConfiguration(connectionString: url, preparesStatements: prepares), databaseConnections: connections, host: host, port: port,
            publicURL: publicURL ?? environment["ACCORD_PUBLIC_URL"], migrate: migrate ?? (environment["ACCORD_MIGRATE"] == "true"), logLevel: level,
            economicRequestsPerSecond: rate, stripeCatchUpInterval: .seconds(catchUp), economicPollInterval: .seconds(poll),
            webhookRetentionDays: retention, outboundTenantInFlight: tenantInFlight, httpDatabaseConnections: httpConnections,
            reactorSharding: sharding, edgeLimits: limits, secureCookies: !insecureCookies, confirmChangesAbove: confirmAbove)
    }

    /// A rate limit in requests per second from the environment (`0`: off), or `fallback` when the key is not set.
    private static func requestRate(_ key: String, default fallback: RequestRateLimit?, _ environment: [String: String]) throws -> RequestRateLimit? {
        guard let text = environment[key] else { return fallback }
        guard let value = Double(text), value >= 0, value <= 1_000_000 else {
            throw ConfigurationError(key: key, problem: "must be a number of requests per second between 0 (off) and 1000000")
        }
        return value == 0 ? nil : RequestRateLimit(requestsPerSecond: value)
    }

    /// Whether database connections prepare the statements they run again: `ACCORD_DB_PREPARED_STATEMENTS`, `on`
    /// (the default) or `off`.
    /// - Throws: ``ConfigurationError`` for any other value.
    public static func preparesStatements(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Bool {
        try onOff("ACCORD_DB_PREPARED_STATEMENTS", default: true, environment)
    }

    /// `on` or `off` from the environment, or `fallback` when the key is not set.
    private static func onOff(_ key: String, default fallback: Bool, _ environment: [String: String]) throws -> Bool {
        switch environment[key] {
        case nil: return fallback
        case "on": return true
        case "off": return false
        default: throw ConfigurationError(key: key, problem: "must be on or off")
        }
    }

    /// A whole number from the environment, within `range`, or `fallback` when the key is not set.
    private static func wholeNumber(
        _ key: String, of unit: String, in range: ClosedRange<Int>, default fallback: Int, _ environment: [String: String]
    ) throws -> Int {
        guard let text = environment[key] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(key: key, problem: "must be a whole number of \(unit) between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    private static func integer(_ text: String, key: String) throws -> Int {
        guard let value = Int(text) else { throw ConfigurationError(key: key, problem: "'\(text)' is not a whole number") }
        return value
    }

    /// The settings, with the password redacted.
    public var description: String {
        "database=\(database) connections=\(databaseConnections)+\(httpDatabaseConnections) prepared-statements=\(database.preparesStatements ? "on" : "off") http=\(host):\(port) public=\(publicURL ?? "http://\(host):\(port)") migrate=\(migrate) log=\(logLevel) "
            + "economic-rate=\(economicRequestsPerSecond)/s stripe-catch-up=\(stripeCatchUpInterval) economic-poll=\(economicPollInterval) "
            + "webhook-retention=\(webhookRetentionDays)d outbound-tenant-in-flight=\(outboundTenantInFlight) "
            + "reactor=\(reactorSharding.shards) shards/\(reactorSharding.tasks) tasks/\(reactorSharding.lease) lease "
            + "rate-limits=client:\(edgeLimits.perClient.map(\.description) ?? "off"),tenant:\(edgeLimits.perTenant.map(\.description) ?? "off"),"
            + "webhook:\(edgeLimits.webhooksPerTenant.map(\.description) ?? "off") trusted-proxies=\(edgeLimits.trustedProxies.sorted()) "
            + "secure-cookies=\(secureCookies) confirm-changes-above=\(confirmChangesAbove)"
    }
}

/// A configuration value that is missing or invalid.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The key (environment variable) concerned.
    public var key: String
    /// What is wrong with it.
    public var problem: String

    /// `KEY problem`.
    public var description: String { "\(key) \(problem)" }
}
