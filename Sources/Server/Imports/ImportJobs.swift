import Connectors
public import EventStore
import Foundation
import HTTPTypes
public import Logging
public import ServiceLifecycle
public import SyncDomain
import SyncEngine
import Synchronization

/// Imports uploaded customer files in the background, one at a time by default, and remembers how each is doing: the
/// upload answers at once with the import's id, and the import page or `GET /api/v1/imports/{id}` follow it.
///
/// A `Service` of `accord serve`'s group. On graceful shutdown, running imports are cancelled and waiting ones
/// dropped (each says so); the importer records whole chunks only, so uploading the same file again finishes
/// the import without recording anything twice. Progress lives in memory; everything recorded lives in the log
/// (``ImportRecords``), so a completed import reads the same after a restart.
public final class ImportJobs: Service, TenantImports {
    struct Key: Hashable, Sendable {
        var tenant: TenantID
        var id: ImportID
    }

    struct Job: Sendable {
        var key: Key
        var file: SpooledImport
        var actor: String
    }

    enum Phase: Sendable {
        case queued
        case running(ImportProgress?)
        case finished
        case failed(ImportStatus.Failure)

        var isActive: Bool {
            switch self {
            case .queued, .running: true
            case .finished, .failed: false
            }
        }
    }

    struct Entry: Sendable {
        var fileName: String
        var phase: Phase
        var sequence: Int
    }

    /// Finished and failed imports remembered in memory (their records in the log stay).
    static let remembered = 1_000

    private let importer: CustomerImporter
    private let records: ImportRecords
    private let maxConcurrent: Int
    private let logger: Logger
    private let metrics: ImportMetrics
    private let state = Mutex<(entries: [Key: Entry], sequence: Int, stopping: Bool)>(([:], 0, false))
    private let jobs: AsyncStream<Job>
    private let queue: AsyncStream<Job>.Continuation

    /// Makes the queue.
    /// - Parameters:
    ///   - store: the event store the importer records into (its pool should have two connections to spare per
    ///     running import: the importer loads the next chunk while the current one is appended).
    ///   - maxConcurrent: imports run at once; more wait (one by default: an import holds up to two of the
    ///     server's database connections, and the pages need the rest).
    ///   - chunkSize: rows decided and appended together.
    ///   - metrics: counts imports, their rows and results, and the imports running.
    ///   - logger: receives a line per import (from the importer) and failures.
    public init(store: EventStore, maxConcurrent: Int = 1, chunkSize: Int = 1_000, metrics: ImportMetrics = .none, logger: Logger) {
        precondition(maxConcurrent > 0)
        self.metrics = metrics
        importer = CustomerImporter(store: store, logger: logger, chunkSize: chunkSize)
        records = ImportRecords(store: store)
        self.maxConcurrent = maxConcurrent
        self.logger = logger
        (jobs, queue) = AsyncStream.makeStream(of: Job.self)
    }

    /// Runs queued imports until graceful shutdown.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            await withGracefulShutdownHandler {
                var running = 0
                for await job in jobs {
                    if state.withLock({ $0.stopping }) {
                        finish(job, .failed(Self.interrupted))
                        continue
                    }
                    if running >= maxConcurrent {
                        await group.next()
                        running -= 1
                    }
                    group.addTask { await self.perform(job) }
                    running += 1
                }
            } onGracefulShutdown: {
                self.state.withLock { $0.stopping = true }
                self.queue.finish()
            }
            group.cancelAll()
        }
    }

    // MARK: TenantImports

    /// Queues the file unless the same one is waiting or running for the tenant (then it joins that import).
    public func submit(_ file: SpooledImport, tenant: TenantID, actor: String) async throws -> ImportID {
        let key = Key(tenant: tenant, id: .forFile(sha256: file.sha256))
        let queued = state.withLock { state -> Bool in
            if state.stopping { return false }
            if let entry = state.entries[key], entry.phase.isActive { return false }
            state.sequence += 1
            state.entries[key] = Entry(fileName: file.fileName, phase: .queued, sequence: state.sequence)
            Self.forgetOldest(&state.entries)
            return true
        }
        guard queued else {
            file.remove()
            if state.withLock({ $0.stopping }) {
                throw APIError(.serviceUnavailable, code: "stopping", message: "the server is stopping; upload the file again in a moment")
            }
            return key.id
        }
        if case .terminated = queue.yield(Job(key: key, file: file, actor: actor)) {
            finish(Job(key: key, file: file, actor: actor), .failed(Self.interrupted))
        }
        return key.id
    }

    /// The import as recorded in the log, with its progress or failure from memory.
    public func status(_ id: ImportID, tenant: TenantID, limit: Int, offset: Int) async throws -> ImportStatus? {
        let live = state.withLock { $0.entries[Key(tenant: tenant, id: id)] }
        let record = try await records.record(id, tenant: tenant)
        guard live != nil || record != nil else { return nil }
        var status = ImportStatus(
            importId: id.description, fileName: record?.received.fileName ?? live?.fileName ?? "", state: .interrupted, receivedAt: record?.receivedAt
        )
        if let completed = record?.completed {
            status.state = .completed
            status.summary = ImportStatus.Counts(completed)
        } else {
            switch live?.phase {
            case .queued?: status.state = .queued
            case .running(let progress)?:
                status.state = .running
                status.progress = progress.map { .init(rows: $0.rows, bytesRead: $0.bytesRead, totalBytes: $0.totalBytes) }
            case .failed(let failure)?:
                status.state = .failed
                status.error = failure
            case .finished?, nil:
                status.state = .interrupted
            }
        }
        if let record {
            let (rows, total) = try await records.rejections(id, completed: record.completed, tenant: tenant, limit: limit, offset: offset)
            status.rejections = .init(items: rows.map(ImportStatus.Rejection.init), total: total, limit: limit, offset: offset)
        }
        return status
    }

    /// The recorded imports, with the state of those still running here.
    public func list(_ tenant: TenantID, limit: Int, offset: Int) async throws -> (rows: [ImportListItem], total: Int) {
        let (recorded, total) = try await records.list(tenant, limit: limit, offset: offset)
        let live = state.withLock { $0.entries }
        let items = recorded.map { record in
            var state: ImportStatus.State = .interrupted
            if record.completed != nil {
                state = .completed
            } else if let phase = live[Key(tenant: tenant, id: record.received.importId)]?.phase {
                switch phase {
                case .queued, .running: state = .running
                case .failed: state = .failed
                case .finished: state = .interrupted
                }
            }
            return ImportListItem(
                importId: record.received.importId.description, fileName: record.received.fileName, state: state, receivedAt: record.receivedAt,
                summary: record.completed.map(ImportStatus.Counts.init))
        }
        return (items, total)
    }

    // MARK: Running

    private func perform(_ job: Job) async {
        set(job.key, .running(nil))
        metrics.started()
        let failure: ImportStatus.Failure
        do {
            let summary = try await importer.importFile(
                atPath: job.file.path, fileName: job.file.fileName, tenant: job.key.tenant, actor: job.actor
            ) { [weak self] progress in self?.set(job.key, .running(progress)) }
            metrics.finished(summary)
            finish(job, .finished)
            return
        } catch let error as CustomerImportError {
            failure = Self.failure(error)
        } catch is CancellationError {
            failure = Self.interrupted
        } catch {
            logger.error("an import failed", metadata: ["import.id": "\(job.key.id)", "error": "\(String(reflecting: error))"])
            failure = .init(code: "internal", message: "the import stopped because of an internal error; upload the same file again to finish it")
        }
        metrics.failed(code: failure.code)
        finish(job, .failed(failure))
    }

    private func finish(_ job: Job, _ phase: Phase) {
        job.file.remove()
        set(job.key, phase)
    }

    private func set(_ key: Key, _ phase: Phase) {
        state.withLock { $0.entries[key]?.phase = phase }
    }

    /// Whole-file refusals say what is wrong with the file (never the temporary path); the others what to do.
    static func failure(_ error: CustomerImportError) -> ImportStatus.Failure {
        switch error.code {
        case .invalidFile:
            return .init(code: "invalid_file", message: (error.fileError?.description ?? error.message) + ". Nothing was imported.")
        case .unknownTenant:
            return .init(code: "unknown_tenant", message: "this tenant does not exist")
        case .fileChanged:
            return .init(code: "file_changed", message: "the uploaded file could not be read to the end; upload it again")
        case .contention:
            return .init(
                code: "contention",
                message: "other changes to the same customers kept arriving; upload the same file again to finish (nothing is recorded twice)")
        }
    }

    static let interrupted = ImportStatus.Failure(
        code: "interrupted",
        message: "the server stopped before the import finished; upload the same file again to finish it (nothing is recorded twice)")

    /// Keeps at most ``remembered`` entries, dropping the oldest finished ones.
    private static func forgetOldest(_ entries: inout [Key: Entry]) {
        guard entries.count > remembered else { return }
        let done = entries.filter { !$0.value.phase.isActive }.sorted { $0.value.sequence < $1.value.sequence }
        for (key, _) in done.prefix(entries.count - remembered) { entries[key] = nil }
    }
}
