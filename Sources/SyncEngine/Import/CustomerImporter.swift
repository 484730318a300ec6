import Connectors
import EventSourcing
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
///   whole and the chunk is reloaded and decided again through ``EventSourcing/DecisionRunner`` (and the next
///   prepared again on what it leaves behind).
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

    /// Decides on the import's streams, again after a lost race.
    var runner: DecisionRunner { DecisionRunner(store: store, logger: logger) }

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
                async let appended = runner.append(current.decision, tenant: tenant)
                var next = try await prepareNext(from: &reader, run: run, after: current)
                do {
                    _ = try await appended
                    run.log.version = current.importVersionAfter
                    tally.add(current.decision.output)
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

    /// Runs blocking work on a Dispatch queue instead of a thread of the cooperative pool.
    static func offThePool<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Swift.Result { try body() }) }
        }
    }
}
