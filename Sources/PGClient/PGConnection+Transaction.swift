import Logging

/// The isolation level of a transaction.
public enum PGIsolationLevel: String, Sendable {
    /// `READ COMMITTED` (PostgreSQL's default).
    case readCommitted = "READ COMMITTED"
    /// `REPEATABLE READ`.
    case repeatableRead = "REPEATABLE READ"
    /// `SERIALIZABLE`.
    case serializable = "SERIALIZABLE"
}

extension PGConnection {
    /// Runs `body` inside `BEGIN … COMMIT`. If `body` throws (or the task is cancelled), the transaction is
    /// rolled back and the error rethrown; the rollback runs even in a cancelled task.
    /// - Parameters:
    ///   - isolation: the isolation level.
    ///   - readOnly: start a `READ ONLY` transaction.
    ///   - prelude: statements to run first, sent together with `BEGIN` in one round trip (e.g. `set_config`).
    ///   - body: the work; use the connection it is given.
    /// - Throws: `body`'s error, or ``PGError`` from `BEGIN`, the prelude or `COMMIT`.
    @discardableResult
    public func withTransaction<Result>(
        isolation: PGIsolationLevel = .readCommitted,
        readOnly: Bool = false,
        prelude: [PGQuery] = [],
        _ body: (PGConnection) async throws -> Result
    ) async throws -> Result {
        let begin = PGQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)\(readOnly ? " READ ONLY" : "")")
        if prelude.isEmpty {
            try await execute(begin)
        }
        let result: Result
        do {
            if !prelude.isEmpty { try await pipeline([begin] + prelude) }
            result = try await body(self)
        } catch {
            await rollback()
            throw error
        }
        do {
            try await execute("COMMIT")
        } catch {
            await rollback()
            throw error
        }
        return result
    }

    /// Rolls back whatever transaction is open, ignoring errors; closes the connection if even that fails.
    func rollback() async {
        do {
            _ = try await perform(ignoringCancellation: true) { raw in
                _ = try PGConnection.execute("ROLLBACK", on: raw)
            }
        } catch {
            logger.debug("rollback failed; closing the connection", metadata: ["db.error": "\(error)"])
            close()
        }
    }
}
