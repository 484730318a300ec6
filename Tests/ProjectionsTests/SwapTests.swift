import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Projections
import Synchronization
import Testing

@Suite("blue/green swaps readers cannot notice", .timeLimit(.minutes(5)))
struct SwapTests {
    /// The read models readers touch together in one transaction, as the overview and the lists do.
    static let views = ["partner_links", "conflicts", "pending_creations", "customers", "unpartnered", "match_index"]

    @Test("every projection rebuilt again and again while readers read the views in both orders: not one reader fails")
    func rebuildsUnderReaders() async throws {
        try await withProjectionStore { store, database, acme, globex in
            let total = try await appendRandomHistories(seed: 21, store: store, tenants: [acme, globex], customers: 40, steps: 150)
            try await catchUpAll(store, total)
            let live = try await StoredReadModels.load(store)
            try await database.withPool(maxConnections: 6) { readerPool in
                let failures = ReaderFailures()
                let reads = try await withThrowingTaskGroup(of: Int.self) { group in
                    for reader in 0..<6 {
                        group.addTask {
                            // A third read the overview's counts; the others read six views in one order or the
                            // other, holding their locks a moment between statements as a request reading several
                            // lists does.
                            let order = reader.isMultiple(of: 2) ? Self.views : Self.views.reversed()
                            var reads = 0
                            while !Task.isCancelled {
                                do {
                                    try await readerPool.withTransaction(scope: .tenant(reader < 3 ? acme : globex), isolation: .repeatableRead) {
                                        connection in
                                        if reader.isMultiple(of: 3) {
                                            // The overview's counts, as the API reads them.
                                            _ = try await CustomerQueries.counts(on: connection)
                                            _ = try await PartnerLinkQueries.counts(on: connection)
                                            return
                                        }
                                        // Several lists in one transaction: the views locked in the shared order first.
                                        for projector in AccordProjections.all {
                                            try await connection.execute(ReadModelLock.share(projector.tables.map(\.name)))
                                        }
                                        for view in order {
                                            _ = try await connection.query(PGQuery(unsafeSQL: "SELECT count(*) FROM \"\(view)\"")).singleValue(Int.self)
                                            try await connection.execute("SELECT pg_sleep(0.002)")
                                        }
                                    }
                                    reads += 1
                                } catch is CancellationError {
                                    break
                                } catch {
                                    if Task.isCancelled { break }
                                    failures.record(error)
                                }
                            }
                            return reads
                        }
                    }
                    let rebuilder = Rebuilder(store: store, logger: database.logger)
                    for _ in 0..<4 {
                        for projector in AccordProjections.all { _ = try await rebuilder.rebuild(projector, reason: "swap test") }
                    }
                    group.cancelAll()
                    var reads = 0
                    for try await count in group { reads += count }
                    return reads
                }
                #expect(reads > 0)
                #expect(failures.all.isEmpty, "\(failures.all.count) reads failed, e.g. \(failures.all.first ?? "")")
            }
            let entries = try await ProjectionRegistry(pool: store.pool).entries()
            #expect(entries.allSatisfy { $0.version == 5 && $0.state == .active }, "every projection was swapped four times")
            expectEqual(try await StoredReadModels.load(store), live)
        }
    }
}

/// What the readers of ``SwapTests`` failed with .
private final class ReaderFailures: Sendable {
    private let failures = Mutex<[String]>([])

    func record(_ error: any Error) {
        failures.withLock { $0.append("\(error)") }
    }

    var all: [String] { failures.withLock { $0 } }
}
