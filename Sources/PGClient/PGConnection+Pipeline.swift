import CLibPQ
import Foundation

extension PGConnection {
    /// Sends several statements in one round trip (libpq pipeline mode) and returns their rows in order.
    ///
    /// Outside an explicit transaction the statements run as **one implicit transaction**, committed when the
    /// pipeline ends: a `set_config(…, true)` in the first statement applies to the next ones, and if any
    /// statement fails, none of them takes effect. Inside ``withTransaction(isolation:readOnly:prelude:_:)`` they run
    /// in that transaction.
    /// - Throws: the first failing statement's ``PGError`` (later statements are skipped by the server).
    @discardableResult
    public func pipeline(_ queries: [PGQuery]) async throws -> [PGRows] {
        guard !queries.isEmpty else { return [] }
        switch try await pipeline(transactions: [queries])[0] {
        case .success(let rows): return rows
        case .failure(let failure): throw failure.error
        }
    }

    /// Sends several groups of statements in one round trip; outside an explicit transaction each group is its
    /// own implicit transaction (a sync point follows it), committed before the next group starts.
    ///
    /// A failing group is rolled back and does not stop the following groups.
    /// - Returns: each group's rows, or the first error of that group with the failing statement's index.
    /// - Throws: ``PGError`` when the connection fails.
    public func pipeline(transactions groups: [[PGQuery]]) async throws -> [Result<[PGRows], PGPipelineError>] {
        let statements = self.statements
        return try await perform { raw in
            guard PQenterPipelineMode(raw) == 1 else { throw PGConnection.connectionError(raw) }
            defer { _ = PQexitPipelineMode(raw) }
            var uses: [[PreparedStatements.Use]] = []
            // Prepares whose answer was not read (the connection failed) did not happen as far as the cache knows.
            defer {
                for (group, groupUses) in zip(groups, uses) {
                    for (query, use) in zip(group, groupUses) { if case .prepare = use { statements.abandon(query) } }
                }
            }
            for group in groups {
                uses.append(group.map { statements.use(for: $0, alone: false) })
                for (query, use) in zip(group, uses[uses.count - 1]) {
                    guard PGConnection.send(query, as: use, raw) else { throw PGConnection.connectionError(raw) }
                }
                guard PQpipelineSync(raw) == 1 else { throw PGConnection.connectionError(raw) }
            }
            return try zip(groups, uses).map { group, groupUses in
                try PGConnection.readPipelineGroup(group, uses: groupUses, statements: statements, raw)
            }
        }
    }

    /// Queues one statement of a pipeline (after its prepare, if it is to be prepared); false when libpq refused.
    private static func send(_ query: PGQuery, as use: PreparedStatements.Use, _ raw: OpaquePointer) -> Bool {
        withParameters(of: query) { count, oids, values in
            switch use {
            case .unnamed:
                return PQsendQueryParams(raw, query.sql, count, oids, values, nil, nil, 0) == 1
            case .prepare(let name), .startOverAndPrepare(let name):  // a pipeline never starts over (`alone: false`)
                return PQsendPrepare(raw, name, query.sql, count, oids) == 1 && PQsendQueryPrepared(raw, name, count, values, nil, nil, 0) == 1
            case .prepared(let name):
                return PQsendQueryPrepared(raw, name, count, values, nil, nil, 0) == 1
            }
        }
    }

    /// Reads one group's results (each statement: its prepare's result if it had one, its result, then NULL) and its
    /// sync marker.
    private static func readPipelineGroup(
        _ group: [PGQuery], uses: [PreparedStatements.Use], statements: PreparedStatements, _ raw: OpaquePointer
    ) throws -> Result<[PGRows], PGPipelineError> {
        var rows: [PGRows] = []
        var firstError: PGPipelineError?
        for (index, (query, use)) in zip(group, uses).enumerated() {
            if case .prepare = use {  // (never .startOverAndPrepare in a pipeline)
                var prepared = false
                while let result = PQgetResult(raw) {
                    let status = PQresultStatus(result)
                    if status == PGRES_COMMAND_OK {
                        prepared = true
                    } else if status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR {
                        firstError = firstError ?? PGPipelineError(statementIndex: index, error: error(from: result, connection: raw))
                    }
                    PQclear(result)
                }
                if prepared { statements.confirm(query) } else { statements.abandon(query) }
            }
            while let result = PQgetResult(raw) {
                if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                    PQclear(result)
                    continue
                }
                do {
                    rows.append(PGRows(result: try check(result, on: raw, accepting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK])))
                } catch let error as PGError {
                    if error.isStalePreparedStatement { statements.forget(query) }
                    firstError = firstError ?? PGPipelineError(statementIndex: index, error: error)
                }
            }
        }
        guard let sync = PQgetResult(raw) else { throw connectionError(raw) }
        let status = PQresultStatus(sync)
        PQclear(sync)
        guard status == PGRES_PIPELINE_SYNC else {
            throw PGError(code: .protocolViolation, message: "pipeline ended with \(String(cString: PQresStatus(status)))")
        }
        if let firstError { return .failure(firstError) }
        return .success(rows)
    }
}

/// The first failure of a pipeline group: which statement (0-based, within its group) and why.
public struct PGPipelineError: Error, Sendable, CustomStringConvertible {
    /// The index of the failing statement within its group.
    public var statementIndex: Int
    /// The database error.
    public var error: PGError

    /// The statement index and the error's safe summary.
    public var description: String { "statement \(statementIndex): \(error)" }
}
