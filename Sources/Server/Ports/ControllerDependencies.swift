/// What the API, the web pages and `/health` work with: small protocols, so that the HTTP layer runs the same
/// over PostgreSQL (``ServerDependencies/controllers``) and over in-memory implementations in tests.
public struct ControllerDependencies: Sendable {
    /// What the API and the pages read.
    public var reads: any TenantReads
    /// The commands they issue.
    public var commands: any TenantCommands
    /// How callers prove who they are.
    public var apiKeys: any APIKeyAuthenticator
    /// The web UI's server-side sessions.
    public var sessions: any WebSessions
    /// The people who log in with a password (nil: only API keys log in, and there is no users page).
    public var users: (any TenantUsers)?
    /// What `/health` and `/metrics` ask.
    public var health: any ServerHealth
    /// Uploaded customer files (nil: the import routes answer 503).
    public var imports: (any TenantImports)?
    /// The tenants' connections to e-conomic and Stripe (nil: the connection routes answer 503 and the sync
    /// screens are not gated on a connection).
    public var connections: (any TenantConnectionsAdmin)?
    /// Where a saved change of mappings stands in reaching the linked pairs (nil: none is ever shown, and the pause
    /// and resume routes answer 409).
    public var applications: (any SettingsApplicationControl)?

    /// Makes the dependencies.
    public init(
        reads: any TenantReads, commands: any TenantCommands, apiKeys: any APIKeyAuthenticator, sessions: any WebSessions, health: any ServerHealth,
        imports: (any TenantImports)? = nil, connections: (any TenantConnectionsAdmin)? = nil,
        applications: (any SettingsApplicationControl)? = nil, users: (any TenantUsers)? = nil
    ) {
        self.reads = reads
        self.commands = commands
        self.apiKeys = apiKeys
        self.sessions = sessions
        self.users = users
        self.health = health
        self.imports = imports
        self.connections = connections
        self.applications = applications
    }
}
