import Server

/// What `/health` hears from a database that is not there: the answer the test asks for, and no webhook backlog
/// (there is no inbox without PostgreSQL).
struct MemoryHealth: ServerHealth {
    let answers: Bool

    func databaseAnswers() async throws -> Bool { answers }

    func inboxBacklog() async throws -> Int { 0 }
}
