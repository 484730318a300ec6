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
    /// What `/health` and `/metrics` ask.
    public var health: any ServerHealth

    /// Makes the dependencies.
    public init(
        reads: any TenantReads, commands: any TenantCommands, apiKeys: any APIKeyAuthenticator, sessions: any WebSessions, health: any ServerHealth
    ) {
        self.reads = reads
        self.commands = commands
        self.apiKeys = apiKeys
        self.sessions = sessions
        self.health = health
    }
}
