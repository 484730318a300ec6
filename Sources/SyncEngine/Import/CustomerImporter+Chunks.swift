import Connectors
import EventSourcing
import EventStore
import SyncDomain

/// The rows, a chunk at a time: each chunk's customer streams loaded in one query, every row decided on them in
/// file order, the chunk's observations and rejections appended as one decision.
extension CustomerImporter {
    /// Reads the next chunk, loads its customer streams (in one query), lays the previous chunk's outcome over
    /// them (its append may still be in flight), and decides and encodes it; `nil` at the end of the file.
    func prepareNext(from reader: inout ChunkReader, run: ImportRun, after previous: PreparedChunk?) async throws -> PreparedChunk? {
        let items = try reader.next()
        guard !items.isEmpty else { return nil }
        return try await prepare(items, after: previous, run: run)
    }

    /// Loads a chunk's streams and decides it (see ``prepareNext(from:run:after:)``).
    func prepare(_ items: [CustomerFileItem], after previous: PreparedChunk?, run: ImportRun) async throws -> PreparedChunk {
        var customers = try await loadCustomers(Self.customers(in: items), key: run.key, tenant: run.tenant)
        if let previous {
            for (customer, outcome) in previous.after where customers[customer] != nil {
                customers[customer]!.state = outcome.state
                customers[customer]!.version = outcome.version
            }
        }
        return try decide(items, customers: customers, importVersion: previous?.importVersionAfter ?? run.log.version, run: run)
    }

    /// Decides and appends one chunk on freshly loaded streams, again after every lost race.
    func importChunk(_ items: [CustomerFileItem], run: inout ImportRun) async throws -> ImportTally {
        let tenant = run.tenant
        let outcome = try await deciding(tenant) { _ in
            try await run.log.refresh(store: store, tenant: tenant)
            return try await prepare(items, after: nil, run: run).decision
        }
        run.log.version += Int64(outcome.events.count { $0.homeStream == run.log.stream })
        return outcome.output
    }

    /// Decides a chunk row by row in file order: observations for the customer streams (each based on the version
    /// loaded), rejections for the import stream (based on `importVersion`).
    func decide(_ items: [CustomerFileItem], customers: [CustomerRef: ImportedCustomer], importVersion: Int64, run: ImportRun) throws
        -> PreparedChunk
    {
        var customers = customers
        var tally = ImportTally()
        var order: [CustomerRef] = []
        var events: [CustomerRef: [SyncEvent]] = [:]
        var rejections: [SyncEvent] = []
        for item in items {
            switch item {
            case .row(let row):
                let ref = CustomerRef.file(row.customerNumber)
                guard var customer = customers[ref] else { continue }
                if let added = customer.recordedRows[row.rowNumber] {
                    // An earlier run recorded this row.
                    if added { tally.added += 1 } else { tally.updated += 1 }
                    tally.resumed += 1
                    continue
                }
                if let latest = customer.latestRecordedRow, latest > row.rowNumber {
                    // An earlier run recorded a later row of the same customer, so this one was unchanged then.
                    tally.unchanged += 1
                    continue
                }
                let observed = CustomerObserved(customer: ref, fields: row.fields, sourceEventId: run.key.sourceEventId(row: row.rowNumber))
                let decided = try CustomerDecider.decide(.observe(observed), state: customer.state)
                guard !decided.isEmpty else {
                    tally.unchanged += 1
                    continue
                }
                if customer.state.exists && !customer.state.isDeleted { tally.updated += 1 } else { tally.added += 1 }
                customer.state = CustomerDecider.fold(decided, from: customer.state)
                customers[ref] = customer
                if events[ref] == nil { order.append(ref) }
                events[ref, default: []] += decided
            case .rejected(let rejection):
                tally.rejected += 1
                if run.log.alreadyRejected.contains(rejection.rowNumber) {
                    tally.resumed += 1
                    continue
                }
                rejections += try ImportDecider.decide(.rejectRow(Self.rowRejected(rejection, importId: run.importId)), state: run.log.state)
            }
        }
        var versions: [StreamName: Int64] = [run.log.stream: importVersion]
        for ref in order {
            versions[.customer(ref)] = customers[ref]!.version
            customers[ref]!.version += Int64(events[ref]!.count)
        }
        let decision = try Decision(
            order.flatMap { events[$0]! } + rejections, basedOn: versions, metadata: run.metadata.eventMetadata, output: tally)
        return PreparedChunk(items: items, decision: decision, after: customers, importVersionAfter: importVersion + Int64(rejections.count))
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
}
