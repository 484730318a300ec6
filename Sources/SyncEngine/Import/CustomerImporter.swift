import Connectors
public import EventStore
import Foundation
public import Logging
import PGClient
import SyncDomain

/// Imports a customer file (a CSV file as described in `docs/csv-format.md`) for one tenant: every good row
/// becomes an observation of the file customer with that customer number (`CustomerObserved`, system `file`,
/// decided by ``SyncDomain/CustomerDecider``), every bad row an `ImportRowRejected`; the reactor then matches,
/// links or creates them like any other source customer.
///
/// ```swift
/// let summary = try await CustomerImporter(store: store, logger: logger)
///     .importFile(atPath: "customers.csv", tenant: tenant) { progress in print(progress.fraction) }
/// print(summary.added, summary.updated, summary.unchanged, summary.rejected)
/// ```
///
/// How it works:
/// - A first pass hashes the file (SHA-256) and checks that it is UTF-8. The import's id is derived from the
///   hash (``SyncDomain/ImportID/forFile(sha256:)``): a file imported completely before is a no-op
///   (``ImportSummary/Outcome/alreadyImported``). A whole-file problem (``Connectors/CustomerFileError``: empty,
///   no usable header, not UTF-8…) is thrown before anything is appended.
/// - The second pass streams the rows (memory holds one chunk, whatever the file's size). For each chunk of
///   ``chunkSize`` rows it loads the chunk's customer streams in one query, decides every row on them, and
///   appends the chunk's observations and rejections in one atomic append with each stream's expected version.
///   Two chunks are in flight: while one is appended, the next is read, loaded, decided and encoded on the states
///   the first leaves behind. When another writer changed one of the streams meanwhile, the append fails as a
///   whole and the chunk (and the next) is reloaded and decided again.
/// - Rows are observations in file order, without a source time (a file has no trustworthy one: copying or
///   re-saving changes its date), so a customer number that appears twice in a file ends with its last row's
///   values; each row counts for what it did.
/// - Each observation's `sourceEventId` is `<importId>:<row>`. A run that was interrupted (crash, cancellation,
///   lost connection) leaves whole chunks behind; running the same file again finds them by that id and carries
///   on: nothing is appended twice, nothing is lost, and the summary counts every row of the file as in one run
///   (``ImportSummary/resumedRows`` says how many an earlier run had recorded). The run ends with
///   `ImportCompleted` and the counts.
///
/// File reads are blocking: the first pass runs on a Dispatch queue; the second reads ``readSize`` bytes at a
/// time on the importing task (a page-cache read of 256 KiB takes well under a millisecond).
public struct CustomerImporter: Sendable {
    /// How many rejected rows a summary lists.
    public static let listedRejections = 20

    let store: EventStore
    let logger: Logger
    /// Rows decided and appended together (one read query and one atomic append each).
    public var chunkSize: Int
    /// Bytes read from the file at a time.
    public var readSize: Int

    /// Makes an importer.
    /// - Parameters:
    ///   - store: the event store (its pool needs two connections for the best speed: the next chunk's streams
    ///     are loaded while the current chunk is appended).
    ///   - logger: receives a line per import at info level and retries at debug level.
    ///   - chunkSize: rows per chunk.
    ///   - readSize: bytes per read.
    public init(store: EventStore, logger: Logger, chunkSize: Int = 1_000, readSize: Int = 256 * 1024) {
        precondition(chunkSize > 0 && readSize > 0)
        self.store = store
        self.logger = logger
        self.chunkSize = chunkSize
        self.readSize = readSize
    }

    /// Imports the file at `path` for `tenant`.
    /// - Parameters:
    ///   - path: the file.
    ///   - fileName: the name to record (default: the path's last component).
    ///   - tenant: whose customers the rows are.
    ///   - actor: who imports, stored with every event (default `import:<fileName>`).
    ///   - progress: called after every chunk (on the importing task).
    /// - Returns: what the import did, or what an earlier complete import of the same file did.
    /// - Throws: ``CustomerImportError`` (`invalidFile`, `unknownTenant`: nothing recorded; `fileChanged`,
    ///   `contention`: run it again to finish), `CancellationError` (run it again to finish), database errors.
    public func importFile(
        atPath path: String, fileName: String? = nil, tenant: TenantID, actor: String? = nil,
        progress: (@Sendable (ImportProgress) -> Void)? = nil
    ) async throws -> ImportSummary {
        let clock = ContinuousClock()
        let start = clock.now
        guard try await TenantDirectory(pool: store.pool).contains(tenant) else {
            throw CustomerImportError(code: .unknownTenant, message: "tenant '\(tenant)' does not exist (see `accord tenant list`)")
        }
        let name = fileName ?? URL(fileURLWithPath: path).lastPathComponent
        let scan: CustomerFileScan
        do {
            let readSize = self.readSize
            scan = try await Self.offThePool { try CustomerFileScan.scan(fileAt: path, chunkSize: readSize) }
        } catch let error as CustomerFileError {
            throw CustomerImportError.invalidFile(error, path: path)
        }
        let importId = ImportID.forFile(sha256: scan.sha256)
        var log = try await ImportLog.load(importId, store: store, tenant: tenant)
        if let completed = log.state.completed {
            return try await summary(of: completed, log: log, outcome: .alreadyImported, resumed: 0, tenant: tenant, elapsed: clock.now - start)
        }

        // The header first: a file without a usable one is refused before anything is recorded.
        var reader = try ChunkReader(path: path, readSize: readSize, chunkSize: chunkSize)
        do {
            try reader.readHeader()
        } catch let error as CustomerFileError {
            throw CustomerImportError.invalidFile(error, path: path)
        }

        let metadata = CommandMetadata(actor: actor ?? "import:\(name)", correlationID: importId.rawValue)
        let received = ImportReceived(importId: importId, fileName: name, sha256: scan.sha256)
        if let completed = try await receive(received, log: &log, tenant: tenant, metadata: metadata) {
            return try await summary(of: completed, log: log, outcome: .alreadyImported, resumed: 0, tenant: tenant, elapsed: clock.now - start)
        }
        let resuming = log.version > 1
        logger.info(
            "importing a customer file",
            metadata: ["import.id": "\(importId)", "import.file": "\(name)", "tenant": "\(tenant)", "import.resuming": "\(resuming)"])

        var run = ImportRun(importId: importId, key: ImportRowKey(importId), tenant: tenant, metadata: metadata, log: log)
        var tally = ImportTally()
        do {
            // Two chunks in flight: while one is appended, the next is read, loaded, decided and encoded on the
            // states the first will leave behind. If the append loses a race, both are decided again on fresh state.
            var prepared = try await prepareNext(from: &reader, run: run, after: nil)
            while let current = prepared {
                try Task.checkCancellation()
                let appends = current.appends(to: run.log)
                async let appended: Void = append(appends, tenant: tenant)
                var next = try await prepareNext(from: &reader, run: run, after: current.after)
                do {
                    try await appended
                    run.log.version += Int64(current.rejections.count)
                    tally.add(current.tally)
                } catch let error as EventStoreError where error.code == .concurrencyConflict {
                    logger.debug(
                        "an import chunk raced another writer; deciding again", metadata: ["event.stream": "\(error.stream?.rawValue ?? "?")"])
                    tally.add(try await importChunk(current.items, run: &run))
                    if let stale = next { next = try await prepare(stale.items, after: nil, run: run) }
                }
                progress?(ImportProgress(rows: tally.rows, bytesRead: reader.bytesRead, totalBytes: scan.byteCount, elapsed: clock.now - start))
                prepared = next
            }
        } catch let error as CustomerFileError {
            // Only a file that changed since the first pass can fail here.
            throw CustomerImportError(
                code: .fileChanged, message: "\(path) changed while it was being imported (\(error)); import it again", fileError: error)
        }
        guard reader.sha256 == scan.sha256 else {
            throw CustomerImportError(code: .fileChanged, message: "\(path) changed while it was being imported; import it again")
        }
        progress?(ImportProgress(rows: tally.rows, bytesRead: scan.byteCount, totalBytes: scan.byteCount, elapsed: clock.now - start))

        let completed = ImportCompleted(
            importId: importId, added: tally.added, updated: tally.updated, unchanged: tally.unchanged, rejected: tally.rejected)
        let recorded = try await complete(completed, run: &run)
        let outcome: ImportSummary.Outcome = recorded == completed ? .completed : .alreadyImported
        logger.info(
            "imported a customer file",
            metadata: [
                "import.id": "\(importId)", "import.added": "\(tally.added)", "import.updated": "\(tally.updated)",
                "import.unchanged": "\(tally.unchanged)", "import.rejected": "\(tally.rejected)", "import.resumed_rows": "\(tally.resumed)",
            ])
        return try await summary(
            of: recorded, log: run.log, outcome: outcome, resumed: outcome == .completed ? tally.resumed : 0, tenant: tenant,
            elapsed: clock.now - start)
    }

    // MARK: The import stream

    /// Records the upload, unless an earlier run did. Returns the recorded summary if the import turns out to be
    /// complete already (a concurrent run finished it).
    private func receive(_ received: ImportReceived, log: inout ImportLog, tenant: TenantID, metadata: CommandMetadata) async throws
        -> ImportCompleted?
    {
        var attempt = 0
        while true {
            if let completed = log.state.completed { return completed }
            let events = try ImportDecider.decide(.receive(received), state: log.state)
            guard !events.isEmpty else { return nil }
            do {
                try await EventWriter(store: store).append(events, tenant: tenant, versions: [log.stream: log.version], metadata: metadata)
                log.state = events.reduce(log.state, ImportDecider.evolve)
                log.version += Int64(events.count)
                return nil
            } catch let error as EventStoreError where error.code == .concurrencyConflict && attempt < 8 {
                attempt += 1
                try await log.refresh(store: store, tenant: tenant)
            }
        }
    }

    /// Records `ImportCompleted`; returns what is recorded (another run's summary if it completed first).
    private func complete(_ completed: ImportCompleted, run: inout ImportRun) async throws -> ImportCompleted {
        var attempt = 0
        while true {
            if let recorded = run.log.state.completed { return recorded }
            let events = try ImportDecider.decide(.complete(completed), state: run.log.state)
            do {
                try await EventWriter(store: store).append(
                    events, tenant: run.tenant, versions: [run.log.stream: run.log.version], metadata: run.metadata)
                run.log.version += Int64(events.count)
                run.log.state = events.reduce(run.log.state, ImportDecider.evolve)
                return completed
            } catch let error as EventStoreError where error.code == .concurrencyConflict && attempt < 8 {
                attempt += 1
                try await run.log.refresh(store: store, tenant: run.tenant)
            }
        }
    }

    private func summary(
        of completed: ImportCompleted, log: ImportLog, outcome: ImportSummary.Outcome, resumed: Int, tenant: TenantID, elapsed: Duration
    ) async throws -> ImportSummary {
        ImportSummary(
            outcome: outcome, importId: completed.importId, fileName: log.state.received?.fileName ?? "", sha256: log.state.received?.sha256 ?? "",
            added: completed.added, updated: completed.updated, unchanged: completed.unchanged, rejected: completed.rejected,
            resumedRows: resumed, firstRejections: try await log.firstRejections(Self.listedRejections, store: store, tenant: tenant),
            elapsed: elapsed)
    }

    // MARK: Chunks

    /// Reads the next chunk, loads its customer streams (in one query), lays the previous chunk's outcome over
    /// them (its append may still be in flight), and decides and encodes it; `nil` at the end of the file.
    private func prepareNext(from reader: inout ChunkReader, run: ImportRun, after previous: [CustomerRef: ImportedCustomer]?) async throws
        -> PreparedChunk?
    {
        let items = try reader.next()
        guard !items.isEmpty else { return nil }
        return try await prepare(items, after: previous, run: run)
    }

    /// Loads a chunk's streams and decides it (see ``prepareNext(from:run:after:)``).
    private func prepare(_ items: [CustomerFileItem], after previous: [CustomerRef: ImportedCustomer]?, run: ImportRun) async throws -> PreparedChunk
    {
        var customers = try await loadCustomers(Self.customers(in: items), key: run.key, tenant: run.tenant)
        if let previous {
            for (customer, outcome) in previous where customers[customer] != nil {
                customers[customer]!.state = outcome.state
                customers[customer]!.version = outcome.version
            }
        }
        return try decide(items, customers: customers, run: run)
    }

    /// Decides and appends one chunk on freshly loaded streams, again after every lost race (up to 8 times).
    private func importChunk(_ items: [CustomerFileItem], run: inout ImportRun) async throws -> ImportTally {
        var attempt = 0
        while true {
            attempt += 1
            try await run.log.refresh(store: store, tenant: run.tenant)
            let chunk = try await prepare(items, after: nil, run: run)
            do {
                try await append(chunk.appends(to: run.log), tenant: run.tenant)
                run.log.version += Int64(chunk.rejections.count)
                return chunk.tally
            } catch let error as EventStoreError where error.code == .concurrencyConflict {
                guard attempt < 8 else {
                    throw CustomerImportError(
                        code: .contention,
                        message:
                            "other changes to \(error.stream.map(\.rawValue) ?? "the same customers") kept arriving; import the file again to finish")
                }
                logger.debug(
                    "an import chunk raced another writer; deciding again", metadata: ["event.stream": "\(error.stream.map(\.rawValue) ?? "?")"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * attempt))))
            }
        }
    }

    private func append(_ appends: [StreamAppend], tenant: TenantID) async throws {
        guard !appends.isEmpty else { return }
        try await store.append(appends, of: tenant)
    }

    /// Decides a chunk row by row in file order, and encodes its events per stream.
    private func decide(_ items: [CustomerFileItem], customers: [CustomerRef: ImportedCustomer], run: ImportRun) throws -> PreparedChunk {
        var customers = customers
        var chunk = PreparedChunk(items: items)
        var order: [CustomerRef] = []
        var events: [CustomerRef: [SyncEvent]] = [:]
        for item in items {
            switch item {
            case .row(let row):
                let ref = CustomerRef.file(row.customerNumber)
                guard var customer = customers[ref] else { continue }
                if let added = customer.recordedRows[row.rowNumber] {
                    // An earlier run recorded this row.
                    if added { chunk.tally.added += 1 } else { chunk.tally.updated += 1 }
                    chunk.tally.resumed += 1
                    continue
                }
                if let latest = customer.latestRecordedRow, latest > row.rowNumber {
                    // An earlier run recorded a later row of the same customer, so this one was unchanged then.
                    chunk.tally.unchanged += 1
                    continue
                }
                let observed = CustomerObserved(customer: ref, fields: row.fields, sourceEventId: run.key.sourceEventId(row: row.rowNumber))
                let decided = try CustomerDecider.decide(.observe(observed), state: customer.state)
                guard !decided.isEmpty else {
                    chunk.tally.unchanged += 1
                    continue
                }
                if customer.state.exists && !customer.state.isDeleted { chunk.tally.updated += 1 } else { chunk.tally.added += 1 }
                customer.state = decided.reduce(customer.state, CustomerDecider.evolve)
                customers[ref] = customer
                if events[ref] == nil { order.append(ref) }
                events[ref, default: []] += decided
            case .rejected(let rejection):
                chunk.tally.rejected += 1
                if run.log.alreadyRejected.contains(rejection.rowNumber) {
                    chunk.tally.resumed += 1
                    continue
                }
                let decided = try ImportDecider.decide(.rejectRow(Self.rowRejected(rejection, importId: run.importId)), state: run.log.state)
                chunk.rejections += try decided.map { try EventWriter.newEvent($0, metadata: run.metadata) }
            }
        }
        for ref in order {
            let customer = customers[ref]!
            let appended = events[ref]!
            chunk.customerAppends.append(
                StreamAppend(
                    stream: try StreamID(StreamName.customer(ref).rawValue),
                    expecting: customer.version == 0 ? .noStream : .exactly(customer.version),
                    events: try appended.map { try EventWriter.newEvent($0, metadata: run.metadata) }))
            customers[ref]!.version += Int64(appended.count)
        }
        chunk.after = customers
        return chunk
    }

    /// The distinct customers of a chunk's good rows.
    static func customers(in items: [CustomerFileItem]) -> [CustomerRef] {
        var seen = Set<String>()
        var customers: [CustomerRef] = []
        for case .row(let row) in items where seen.insert(row.customerNumber).inserted {
            customers.append(.file(row.customerNumber))
        }
        return customers
    }

    /// A rejected row as recorded: the first problem's column, and every problem with its value; the physical
    /// line when it differs from the row number.
    static func rowRejected(_ rejection: CustomerFileRejection, importId: ImportID) -> ImportRowRejected {
        let column = rejection.problems.first?.column
        var reason = rejection.problems.map { problem in
            guard let problemColumn = problem.column, problemColumn == column else { return problem.description }
            return (problem.value.map { "\"\($0)\": " } ?? "") + problem.message
        }.joined(separator: "; ")
        if rejection.line != rejection.rowNumber { reason += " (line \(rejection.line))" }
        return ImportRowRejected(importId: importId, row: rejection.rowNumber, column: column, reason: reason)
    }

    /// Runs blocking work on a Dispatch queue instead of a thread of the cooperative pool.
    static func offThePool<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Swift.Result { try body() }) }
        }
    }
}

/// What one run of an import knows and carries from chunk to chunk.
struct ImportRun: Sendable {
    let importId: ImportID
    let key: ImportRowKey
    let tenant: TenantID
    let metadata: CommandMetadata
    var log: ImportLog
}

/// Counts of rows.
struct ImportTally: Sendable {
    var added = 0
    var updated = 0
    var unchanged = 0
    var rejected = 0
    /// Rows whose events an earlier run had appended.
    var resumed = 0

    var rows: Int { added + updated + unchanged + rejected }

    mutating func add(_ other: ImportTally) {
        added += other.added
        updated += other.updated
        unchanged += other.unchanged
        rejected += other.rejected
        resumed += other.resumed
    }
}

/// One chunk, decided and encoded, ready to append.
struct PreparedChunk: Sendable {
    /// The rows, to decide again after a lost race.
    let items: [CustomerFileItem]
    /// The customer streams' appends, with the versions the decisions were based on.
    var customerAppends: [StreamAppend] = []
    /// `ImportRowRejected` events for the import stream.
    var rejections: [NewEvent] = []
    /// What the rows did.
    var tally = ImportTally()
    /// Every customer of the chunk as it will be once the chunk is appended (state and version).
    var after: [CustomerRef: ImportedCustomer] = [:]

    init(items: [CustomerFileItem]) { self.items = items }

    /// Everything to append: the customer streams, and the rejections at the import stream's current version.
    func appends(to log: ImportLog) -> [StreamAppend] {
        guard !rejections.isEmpty, let stream = try? StreamID(log.stream.rawValue) else { return customerAppends }
        return customerAppends + [StreamAppend(stream: stream, expecting: .exactly(log.version), events: rejections)]
    }
}

/// The second pass over the file: reads it in blocking reads of `readSize` bytes, parses it, hashes it again (to
/// notice a file that changed since the first pass), and hands out the items in chunks of `chunkSize`.
struct ChunkReader {
    private let handle: FileHandle
    private let path: String
    private let readSize: Int
    private let chunkSize: Int
    private var parser = CustomerFileParser()
    private var digest = CustomerFileDigest()
    private var pending: [CustomerFileItem] = []
    private var atEnd = false
    /// Bytes read so far.
    private(set) var bytesRead = 0

    init(path: String, readSize: Int, chunkSize: Int) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CustomerImportError(code: .fileChanged, message: "\(path) can no longer be opened; import it again")
        }
        self.handle = handle
        self.path = path
        self.readSize = readSize
        self.chunkSize = chunkSize
    }

    /// Reads until the header is known.
    /// - Throws: ``Connectors/CustomerFileError`` for a file without a usable header.
    mutating func readHeader() throws {
        while parser.header == nil, !atEnd { try readMore() }
    }

    /// The next chunk of items; empty at the end of the file.
    /// - Throws: ``Connectors/CustomerFileError`` or ``CustomerImportError``.
    mutating func next() throws -> [CustomerFileItem] {
        while pending.count < chunkSize, !atEnd { try readMore() }
        guard pending.count > chunkSize else {
            defer { pending = [] }
            return pending
        }
        defer { pending.removeFirst(chunkSize) }
        return Array(pending[..<chunkSize])
    }

    /// The SHA-256 of everything read.
    var sha256: String { digest.finalize() }

    private mutating func readMore() throws {
        let data: Data?
        do {
            data = try handle.read(upToCount: readSize)
        } catch {
            atEnd = true
            try? handle.close()
            throw CustomerImportError(code: .fileChanged, message: "\(path) could not be read to the end (\(error)); import it again")
        }
        guard let data, !data.isEmpty else {
            atEnd = true
            try? handle.close()
            pending += try parser.finish()
            return
        }
        bytesRead += data.count
        digest.update(data)
        pending += try parser.parse(data)
    }
}
