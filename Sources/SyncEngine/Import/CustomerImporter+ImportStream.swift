import EventSourcing
import EventStore
import SyncDomain

/// The `import-<importId>` stream: the upload recorded first, the summary last, each decided by
/// ``SyncDomain/ImportDecider`` on the stream as this run knows it (read again after a lost race).
extension CustomerImporter {
    /// Records the upload, unless an earlier run did. Returns the recorded summary if the import turns out to be
    /// complete already (a concurrent run finished it).
    func receive(_ received: ImportReceived, log: inout ImportLog, tenant: TenantID, metadata: CommandMetadata) async throws -> ImportCompleted? {
        let outcome = try await deciding(tenant) { attempt -> Decision<ImportCompleted?> in
            if attempt > 1 { try await log.refresh(store: store, tenant: tenant) }
            if let completed = log.state.completed { return Decision(output: completed) }
            let events = try ImportDecider.decide(.receive(received), state: log.state)
            return try Decision(events, basedOn: [log.stream: log.version], metadata: metadata.eventMetadata, output: nil)
        }
        log.state = ImportDecider.fold(outcome.events, from: log.state)
        log.version += Int64(outcome.events.count)
        return outcome.output
    }

    /// Records `ImportCompleted`; returns what is recorded (another run's summary if it completed first).
    func complete(_ completed: ImportCompleted, run: inout ImportRun) async throws -> ImportCompleted {
        let tenant = run.tenant
        let outcome = try await deciding(tenant) { attempt in
            if attempt > 1 { try await run.log.refresh(store: store, tenant: tenant) }
            if let recorded = run.log.state.completed { return Decision(output: recorded) }
            let events = try ImportDecider.decide(.complete(completed), state: run.log.state)
            return try Decision(events, basedOn: [run.log.stream: run.log.version], metadata: run.metadata.eventMetadata, output: completed)
        }
        run.log.state = ImportDecider.fold(outcome.events, from: run.log.state)
        run.log.version += Int64(outcome.events.count)
        return outcome.output
    }

    func summary(
        of completed: ImportCompleted, log: ImportLog, outcome: ImportSummary.Outcome, resumed: Int, tenant: TenantID, elapsed: Duration
    ) async throws -> ImportSummary {
        ImportSummary(
            outcome: outcome, importId: completed.importId, fileName: log.state.received?.fileName ?? "", sha256: log.state.received?.sha256 ?? "",
            added: completed.added, updated: completed.updated, unchanged: completed.unchanged, rejected: completed.rejected,
            resumedRows: resumed, firstRejections: try await log.firstRejections(Self.listedRejections, store: store, tenant: tenant),
            elapsed: elapsed)
    }

    /// Decides through the runner; when other writers keep winning, the import stops with
    /// ``CustomerImportError/Code/contention`` (running it again finishes it).
    func deciding<Output>(_ tenant: TenantID, _ decide: (_ attempt: Int) async throws -> Decision<Output>) async throws -> DecisionOutcome<Output> {
        do {
            return try await runner.run(tenant: tenant, decide)
        } catch let error as ContentionError {
            throw CustomerImportError(
                code: .contention,
                message: "other changes to \(error.stream.map(\.rawValue) ?? "the same customers") kept arriving; import the file again to finish")
        }
    }
}
