/// What `/ready` and `/metrics` ask beyond the server itself. ``PostgresServerHealth`` asks the database.
public protocol ServerHealth: Sendable {
    /// Whether every read model has a built (active) version; answering at all says the database is reachable.
    /// - Throws: when the database cannot be asked (the caller bounds how long it waits).
    func readModelsBuilt() async throws -> Bool
    /// The inbox, the outbound queue, the followers' lag and the pool, for one scrape.
    func operations() async throws -> OperationsSnapshot
}
