import Server

/// What `/ready` hears from a database that is not there: the answer the test asks for (read models built, or no
/// answer at all), and no webhook backlog (there is no inbox without PostgreSQL).
struct MemoryHealth: ServerHealth {
    struct Unreachable: Error {}

    let answers: Bool

    func readModelsBuilt() async throws -> Bool {
        guard answers else { throw Unreachable() }
        return true
    }

    func operations() async throws -> OperationsSnapshot { OperationsSnapshot() }
}
