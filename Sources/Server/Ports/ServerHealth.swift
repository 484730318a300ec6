/// What `/health` and `/metrics` ask beyond the server itself. ``PostgresServerHealth`` asks the database.
public protocol ServerHealth: Sendable {
    /// Whether the database answers a trivial query (the caller bounds how long it waits).
    func databaseAnswers() async throws -> Bool
    /// Webhook deliveries waiting to be processed, across tenants.
    func inboxBacklog() async throws -> Int
}
