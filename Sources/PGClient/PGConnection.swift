import CLibPQ
import Foundation
public import Logging
public import NIOPosix
import Synchronization

/// One libpq connection.
///
/// Every blocking libpq call runs on the connection's `NIOThreadPool`, never on a NIO event loop or the
/// Swift cooperative pool. A connection serves one task at a time: a second concurrent call fails with
/// ``PGError/Code/connectionBusy`` instead of corrupting the protocol. Cancelling the calling task sends
/// `PQcancel` to the server, and the statement fails with ``PGError/Code/cancelled``.
///
/// Lease connections from ``PGConnectionPool``; use ``connect(configuration:threadPool:logger:)`` directly
/// only for dedicated connections (listeners, benchmarks).
public final class PGConnection: @unchecked Sendable {
    /// A process-unique number, for logs.
    public let id: Int
    let logger: Logger
    private let threadPool: NIOThreadPool
    private let handle: ConnectionHandle
    private let cancelHandle: CancelHandle?
    private let busy = Atomic<Bool>(false)
    private let cancelRequested = Atomic<Bool>(false)
    /// `PQcancel` calls dispatched and not yet returned: the next statement waits for them (``onThread``).
    private let cancelsInFlight = Atomic<Int>(0)
    /// For tests: how long a cancel waits before it is sent (a cancel that reaches the server late), in microseconds.
    let testingCancelDelay = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    /// What this connection's session has prepared.
    let statements: PreparedStatements

    private static let nextID = Atomic<Int>(1)

    private init(handle: ConnectionHandle, threadPool: NIOThreadPool, preparesStatements: Bool, logger: Logger) {
        self.id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.statements = PreparedStatements(enabled: preparesStatements)
        self.handle = handle
        self.threadPool = threadPool
        self.cancelHandle = PQgetCancel(handle.raw).map(CancelHandle.init)
        var logger = logger
        logger[metadataKey: "db.connection.id"] = "\(id)"
        self.logger = logger
    }

    deinit {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            PQfinish(handle.raw)
        }
        if let cancelHandle { PQfreeCancel(cancelHandle.raw) }
    }

    /// Opens a connection and sets the session up (UTC time zone, ISO dates, full float precision).
    /// - Parameters:
    ///   - configuration: where to connect.
    ///   - threadPool: the threads that run this connection's blocking calls; it must be started.
    ///   - logger: receives debug-level connection events.
    /// - Throws: ``PGError`` with code `connectionFailed` (its message never contains a password).
    public static func connect(configuration: PGConfiguration, threadPool: NIOThreadPool, logger: Logger) async throws -> PGConnection {
        let pairs = configuration.keywordValuePairs
        let raw: ConnectionHandle
        do {
            raw = try await threadPool.runIfActive { () throws -> ConnectionHandle in
                try Self.connectBlocking(pairs)
            }
        } catch let error as PGError {
            throw error
        } catch {
            throw PGError(code: .poolShutdown, message: "the connection thread pool is not running")
        }
        let connection = PGConnection(handle: raw, threadPool: threadPool, preparesStatements: configuration.preparesStatements, logger: logger)
        do {
            try await connection.executeScript(
                unsafeSQL: "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 3"
            )
        } catch {
            connection.close()
            throw error
        }
        connection.logger.debug("connected", metadata: ["db.server_version": "\(PQserverVersion(raw.raw))"])
        return connection
    }

    private static func connectBlocking(_ pairs: [(String, String)]) throws -> ConnectionHandle {
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let keywordPointers = keywords.map { UnsafePointer($0) } + [nil]
        let valuePointers = values.map { UnsafePointer($0) } + [nil]
        guard let raw = PQconnectdbParams(keywordPointers, valuePointers, 1) else {
            throw PGError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(raw) == CONNECTION_OK else {
            let message = PGConfiguration.redacting(String(cString: PQerrorMessage(raw)).trimmingWhitespace())
            PQfinish(raw)  // also after a failed connect
            throw PGError(code: .connectionFailed, message: message)
        }
        // Server notices (e.g. "relation already exists, skipping") are informational; libpq would print
        // them to stderr. Drop them.
        PQsetNoticeProcessor(raw, { _, _ in }, nil)
        return ConnectionHandle(raw: raw)
    }

    // MARK: Statements

    /// Runs a statement with its bind parameters and returns its rows.
    /// - Throws: ``PGError`` (`queryFailed` with the SQLSTATE, `cancelled`, `connectionClosed`, `connectionBusy`).
    @discardableResult
    public func query(_ query: PGQuery) async throws -> PGRows {
        let statements = self.statements
        return try await perform { raw in PGRows(result: try Self.execute(query, on: raw, statements: statements)) }
    }

    /// Runs a statement and returns the number of rows it affected.
    /// - Throws: ``PGError`` as ``query(_:)``.
    @discardableResult
    public func execute(_ query: PGQuery) async throws -> Int {
        try await self.query(query).affectedRows
    }

    /// Runs trusted SQL text that may hold several statements (a migration file), with the simple query protocol.
    /// - Parameter unsafeSQL: SQL text; never build it from user input.
    /// - Throws: ``PGError`` from the first failing statement.
    public func executeScript(unsafeSQL script: String) async throws {
        try await perform { raw in
            let result = PQexec(raw, script)
            _ = try Self.check(result, on: raw, accepting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY])
        }
    }

    /// True while the connection is open and not inside a transaction, so it can serve the next task.
    public var isIdle: Bool {
        !closed.load(ordering: .acquiring) && PQstatus(handle.raw) == CONNECTION_OK && PQtransactionStatus(handle.raw) == PQTRANS_IDLE
    }

    /// True while the connection is open (it may be inside a transaction).
    public var isOpen: Bool { !closed.load(ordering: .acquiring) && PQstatus(handle.raw) == CONNECTION_OK }

    /// Closes the connection (`PQfinish`). Safe to call more than once.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        PQfinish(handle.raw)
        logger.debug("closed")
    }

    // MARK: Running blocking calls

    /// Runs `body` on the thread pool with exclusive use of the connection; task cancellation sends `PQcancel`.
    /// - Parameter ignoringCancellation: for cleanup (`ROLLBACK`) that must run in a cancelled task.
    func perform<Result: Sendable>(
        ignoringCancellation: Bool = false,
        _ body: @escaping @Sendable (OpaquePointer) throws -> Result
    ) async throws -> Result {
        try await withExclusiveUse { try await onThread(ignoringCancellation: ignoringCancellation, body) }
    }

    /// Holds exclusive use of the connection for `body`, which may make several thread-pool hops (a `COPY`).
    /// - Throws: ``PGError/Code/connectionBusy`` when another task is using the connection.
    func withExclusiveUse<Result>(_ body: () async throws -> Result) async throws -> Result {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            throw PGError(code: .connectionBusy, message: "connection \(id) is already serving another task")
        }
        defer { busy.store(false, ordering: .releasing) }
        return try await body()
    }

    /// Runs `body` on the thread pool; the caller must already hold exclusive use (see ``perform(ignoringCancellation:_:)``).
    func onThread<Result: Sendable>(
        ignoringCancellation: Bool = false,
        _ body: @escaping @Sendable (OpaquePointer) throws -> Result
    ) async throws -> Result {
        guard !closed.load(ordering: .acquiring) else {
            throw PGError(code: .connectionClosed, message: "connection \(id) is closed")
        }
        let handle = self.handle
        let cancelRequested = ignoringCancellation ? nil : CancelFlag(connection: self)
        if !ignoringCancellation {
            try Task.checkCancellation()
            self.cancelRequested.store(false, ordering: .releasing)
        }
        let work: @Sendable () throws -> Result = {
            // A cancel still on its way to the server would cancel whatever the connection runs when it lands: this
            // statement, of another task perhaps. Once sent, it lands on an idle connection, which ignores it.
            if self.cancelsInFlight.load(ordering: .acquiring) > 0 { Self.cancelQueue.sync {} }
            if let cancelRequested, cancelRequested.isSet {
                throw PGError(code: .cancelled, sqlState: .queryCanceled, message: "cancelled before it started")
            }
            return try body(handle.raw)
        }
        do {
            if ignoringCancellation {
                return try await threadPool.runIfActive(work)
            }
            return try await withTaskCancellationHandler {
                try await threadPool.runIfActive(work)
            } onCancel: {
                self.sendCancel()
            }
        } catch let error as PGError {
            throw error
        } catch is CancellationError {
            throw PGError(code: .cancelled, message: "the task was cancelled")
        } catch {
            throw PGError(code: .poolShutdown, message: "the connection thread pool is not running")
        }
    }

    /// Asks the server to cancel whatever this connection is running.
    ///
    /// `PQcancel` is thread-safe but blocking (it opens a connection to the server), and task-cancellation
    /// handlers run on whatever thread cancels — possibly the cooperative pool — so it is sent from a
    /// dedicated queue instead.
    func sendCancel() {
        cancelRequested.store(true, ordering: .releasing)
        guard let cancelHandle, !closed.load(ordering: .acquiring) else { return }
        cancelsInFlight.add(1, ordering: .releasing)
        Self.cancelQueue.async { [self] in
            defer { cancelsInFlight.subtract(1, ordering: .releasing) }
            let delay = testingCancelDelay.load(ordering: .relaxed)
            if delay > 0 { usleep(UInt32(delay)) }
            var buffer = [CChar](repeating: 0, count: 256)
            if PQcancel(cancelHandle.raw, &buffer, Int32(buffer.count)) == 0 {
                let message = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                logger.debug("PQcancel failed", metadata: ["db.error": "\(message)"])
            } else {
                logger.debug("PQcancel sent")
            }
        }
    }

    /// Where `PQcancel` calls run (never the cooperative pool or an event loop).
    private static let cancelQueue = DispatchQueue(label: "accord.pgclient.cancel")

    fileprivate var isCancelRequested: Bool { cancelRequested.load(ordering: .acquiring) }

    // MARK: Blocking helpers (run on the thread pool)

    /// Runs one statement: unnamed, or through the connection's prepared statements when `statements` is given.
    static func execute(_ query: PGQuery, on raw: OpaquePointer, statements: PreparedStatements? = nil) throws -> PGResultHandle {
        let accepted = [PGRES_COMMAND_OK, PGRES_TUPLES_OK]
        let name: String
        let use = statements?.use(for: query, alone: true) ?? .unnamed
        switch use {
        case .unnamed:
            let result = withParameters(of: query) { count, oids, values in
                PQexecParams(raw, query.sql, count, oids, values, nil, nil, 0)
            }
            return try check(result, on: raw, accepting: accepted)
        case .prepare(let newName), .startOverAndPrepare(let newName):
            do {
                if case .startOverAndPrepare = use {
                    _ = try check(PQexec(raw, "DEALLOCATE ALL"), on: raw, accepting: [PGRES_COMMAND_OK])
                    statements?.startedOver()
                }
                let prepared = withParameters(of: query) { count, oids, _ in PQprepare(raw, newName, query.sql, count, oids) }
                _ = try check(prepared, on: raw, accepting: [PGRES_COMMAND_OK])
            } catch {
                statements?.abandon(query)
                throw error
            }
            statements?.confirm(query)
            name = newName
        case .prepared(let existing):
            name = existing
        }
        do {
            let result = withParameters(of: query) { count, _, values in PQexecPrepared(raw, name, count, values, nil, nil, 0) }
            return try check(result, on: raw, accepting: accepted)
        } catch let error as PGError where error.isStalePreparedStatement {
            // A table or view it reads changed its columns: prepare it afresh next time; run it unnamed now, unless
            // the failure has already aborted a transaction.
            statements?.forget(query)
            guard PQtransactionStatus(raw) == PQTRANS_IDLE else { throw error }
            return try execute(query, on: raw)
        }
    }

    /// Calls `body` with the query's parameter count, type OIDs and NUL-terminated text values (NULL for SQL NULL),
    /// valid only during the call.
    static func withParameters<Result>(
        of query: PGQuery,
        _ body: (Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Result
    ) -> Result {
        let values = query.values.map { $0.map { strdup($0) } ?? nil }
        defer { values.forEach { free($0) } }
        let valuePointers = values.map { $0.map { UnsafePointer($0) } }
        return query.typeOIDs.withUnsafeBufferPointer { oids in
            valuePointers.withUnsafeBufferPointer { pointers in
                body(Int32(query.parameterCount), oids.baseAddress, pointers.baseAddress)
            }
        }
    }

    /// Wraps a result, or turns it into a ``PGError``; clears a rejected result.
    static func check(_ result: OpaquePointer?, on raw: OpaquePointer, accepting statuses: [ExecStatusType]) throws -> PGResultHandle {
        guard let result else { throw connectionError(raw) }
        let handle = PGResultHandle(result)
        let status = PQresultStatus(result)
        if statuses.contains(status) { return handle }
        if status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR {
            throw error(from: result, connection: raw)
        }
        throw PGError(code: .protocolViolation, message: "unexpected result status \(String(cString: PQresStatus(status)))")
    }

    /// The error of a failed result, with SQLSTATE and the server's fields.
    static func error(from result: OpaquePointer, connection raw: OpaquePointer) -> PGError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C").map(SQLState.init(rawValue:))
        if sqlState == nil, PQstatus(raw) != CONNECTION_OK {
            return connectionError(raw)
        }
        let code: PGError.Code = sqlState == .queryCanceled ? .cancelled : .queryFailed
        return PGError(
            code: code,
            sqlState: sqlState,
            message: field("M"),
            detail: field("D"),
            hint: field("H"),
            constraint: field("n"),
            schema: field("s"),
            table: field("t"),
            column: field("c")
        )
    }

    static func connectionError(_ raw: OpaquePointer) -> PGError {
        let message = PGConfiguration.redacting(String(cString: PQerrorMessage(raw)).trimmingWhitespace())
        return PGError(code: PQstatus(raw) == CONNECTION_OK ? .protocolViolation : .connectionClosed, message: message)
    }
}

/// A `PGconn *` that may be handed to the thread pool; the connection's busy flag keeps its use exclusive.
struct ConnectionHandle: @unchecked Sendable {
    let raw: OpaquePointer
}

/// A `PGcancel *`; `PQcancel` is safe to call from any thread.
private struct CancelHandle: @unchecked Sendable {
    let raw: OpaquePointer
}

/// Lets work that starts late on the thread pool see that its task was cancelled meanwhile.
private struct CancelFlag: Sendable {
    let connection: PGConnection
    var isSet: Bool { connection.isCancelRequested }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
