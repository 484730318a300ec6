import CLibPQ

/// Sends row batches into a running `COPY … FROM STDIN`; see ``PGConnection/copyIn(_:_:)``.
public struct PGCopyWriter: Sendable {
    let connection: PGConnection

    /// Sends the batch's bytes (`PQputCopyData`, on the connection's thread pool).
    /// - Throws: ``PGError`` with code `copyFailed` when the server has stopped accepting data.
    public func write(_ batch: PGCopyBatch) async throws {
        let bytes = batch.bytes
        guard !bytes.isEmpty else { return }
        try await connection.onThread { raw in
            let status = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(raw, $0.baseAddress, Int32($0.count)) }
            }
            guard status == 1 else { throw PGConnection.connectionError(raw).asCopyFailure() }
        }
    }
}

extension PGConnection {
    /// Runs `COPY … FROM STDIN` and lets `body` stream rows into it.
    ///
    /// ```swift
    /// try await connection.copyIn("COPY t (a, b) FROM STDIN") { writer in
    ///     var batch = PGCopyBatch()
    ///     batch.appendRow(["1", "x"])
    ///     try await writer.write(batch)
    /// }
    /// ```
    /// If `body` throws, the copy is aborted (nothing is written) and the error rethrown.
    /// - Returns: the number of rows the server stored.
    /// - Throws: ``PGError`` (`copyFailed` or `queryFailed` with the SQLSTATE), or `body`'s error.
    @discardableResult
    public func copyIn(_ query: PGQuery, _ body: (PGCopyWriter) async throws -> Void) async throws -> Int {
        try await withExclusiveUse {
            try await onThread { raw in
                let result = PGConnection.withParameters(of: query) { PQexecParams(raw, query.sql, $0, $1, $2, nil, nil, 0) }
                _ = try PGConnection.check(result, on: raw, accepting: [PGRES_COPY_IN])
            }
            do {
                try await body(PGCopyWriter(connection: self))
            } catch {
                _ = try? await onThread(ignoringCancellation: true) { raw in
                    _ = PQputCopyEnd(raw, "aborted by the client")
                    try PGConnection.drainResults(raw)
                }
                throw error
            }
            return try await onThread(ignoringCancellation: true) { raw in
                guard PQputCopyEnd(raw, nil) == 1 else { throw PGConnection.connectionError(raw).asCopyFailure() }
                guard let final = PQgetResult(raw) else { throw PGConnection.connectionError(raw).asCopyFailure() }
                let handle = try PGConnection.check(final, on: raw, accepting: [PGRES_COMMAND_OK])
                try PGConnection.drainResults(raw)
                return PGRows(result: handle).affectedRows
            }
        }
    }

    /// Runs `COPY (…) TO STDOUT` and hands each row's raw text-format bytes to `row`, on the connection's thread.
    /// - Returns: the number of rows.
    /// - Throws: ``PGError``, or the handler's error (the rest of the stream is then drained and discarded).
    @discardableResult
    public func copyOut(_ query: PGQuery, row: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void) async throws -> Int {
        try await perform { raw in
            let result = PGConnection.withParameters(of: query) { PQexecParams(raw, query.sql, $0, $1, $2, nil, nil, 0) }
            _ = try PGConnection.check(result, on: raw, accepting: [PGRES_COPY_OUT])
            var rows = 0
            var handlerError: (any Error)?
            while true {
                var buffer: UnsafeMutablePointer<CChar>?
                let length = PQgetCopyData(raw, &buffer, 0)
                if length > 0, let buffer {
                    if handlerError == nil {
                        do {
                            try row(UnsafeRawBufferPointer(start: buffer, count: Int(length)))
                            rows += 1
                        } catch {
                            handlerError = error
                        }
                    }
                    PQfreemem(buffer)
                } else if length == -1 {
                    break
                } else {
                    throw PGConnection.connectionError(raw).asCopyFailure()
                }
            }
            guard let final = PQgetResult(raw) else { throw PGConnection.connectionError(raw).asCopyFailure() }
            _ = try PGConnection.check(final, on: raw, accepting: [PGRES_COMMAND_OK])
            try PGConnection.drainResults(raw)
            if let handlerError { throw handlerError }
            return rows
        }
    }

    /// Reads and checks the remaining results of a command until libpq reports none.
    static func drainResults(_ raw: OpaquePointer) throws {
        var firstError: PGError?
        while let next = PQgetResult(raw) {
            do {
                _ = try check(next, on: raw, accepting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK])
            } catch let error as PGError {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }
}

extension PGError {
    func asCopyFailure() -> PGError {
        var copy = self
        if copy.code == .protocolViolation { copy.code = .copyFailed }
        return copy
    }
}
