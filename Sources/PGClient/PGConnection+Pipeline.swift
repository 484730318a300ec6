import CLibPQ

extension PGConnection {
    /// Sends several statements in one round trip (libpq pipeline mode) and returns their rows in order.
    ///
    /// Outside an explicit transaction the statements run as **one implicit transaction**, committed when the
    /// pipeline ends: a `set_config(…, true)` in the first statement applies to the next ones, and if any
    /// statement fails, none of them takes effect. Inside ``withTransaction(isolation:readOnly:_:)`` they run
    /// in that transaction.
    /// - Throws: the first failing statement's ``PGError`` (later statements are skipped by the server).
    @discardableResult
    public func pipeline(_ queries: [PGQuery]) async throws -> [PGRows] {
        guard !queries.isEmpty else { return [] }
        return try await perform { raw in
            guard PQenterPipelineMode(raw) == 1 else { throw PGConnection.connectionError(raw) }
            defer { _ = PQexitPipelineMode(raw) }
            for query in queries {
                let sent = PGConnection.withParameters(of: query) { count, oids, values in
                    PQsendQueryParams(raw, query.sql, count, oids, values, nil, nil, 0)
                }
                guard sent == 1 else { throw PGConnection.connectionError(raw) }
            }
            guard PQpipelineSync(raw) == 1 else { throw PGConnection.connectionError(raw) }

            var rows: [PGRows] = []
            var firstError: PGError?
            for _ in queries {
                // Each statement yields its result, then NULL.
                while let result = PQgetResult(raw) {
                    let status = PQresultStatus(result)
                    if status == PGRES_PIPELINE_ABORTED {
                        PQclear(result)
                        continue
                    }
                    do {
                        rows.append(PGRows(result: try PGConnection.check(result, on: raw, accepting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK])))
                    } catch let error as PGError {
                        firstError = firstError ?? error
                    }
                }
            }
            // Then the sync marker, then NULL.
            guard let sync = PQgetResult(raw) else { throw PGConnection.connectionError(raw) }
            let syncStatus = PQresultStatus(sync)
            PQclear(sync)
            guard syncStatus == PGRES_PIPELINE_SYNC else {
                throw PGError(code: .protocolViolation, message: "pipeline ended with \(String(cString: PQresStatus(syncStatus)))")
            }
            if let firstError { throw firstError }
            return rows
        }
    }
}
