import EventStore
import Foundation
import PGClient
import Projections
import Testing

/// Writes one row per event (its global position is the key, so applying an event twice fails), and can
/// stall in the middle of a batch so a test can "kill" it there.
final class CountingProjector: Projector, @unchecked Sendable {
    let name = "counting"
    private let lock = NSLock()
    private var _stallAfter: Int?
    private var stalled = false

    init(stallAfter: Int?) { _stallAfter = stallAfter }

    var stallAfter: Int? {
        get { lock.withLock { _stallAfter } }
        set { lock.withLock { _stallAfter = newValue } }
    }

    static let table = ProjectionTable(
        name: "counting", columns: [.init("tenant_id", "text NOT NULL"), .init("position", "bigint NOT NULL")], primaryKey: ["tenant_id", "position"])

    var tables: [ProjectionTable] { [Self.table] }

    /// Writes a row per event in one statement — or, with ``stallAfter`` set and reached, the first `stallAfter` rows,
    /// then stalls with the batch's transaction open. One statement, not one per row: an open transaction that holds a
    /// transaction id holds back every reader of the cluster's logs (the watermark), and other tests share the cluster.
    func apply(_ events: [RecordedEvent], to target: ProjectionTarget, on connection: PGConnection) async throws {
        let limit = stallAfter
        let written = limit.map { Array(events.prefix($0)) } ?? events
        try await connection.execute(
            """
            INSERT INTO \(unsafeRaw: target.table("counting"))
            SELECT * FROM unnest(\(written.map(\.tenant.rawValue))::text[], \(written.map(\.globalPosition))::bigint[])
            """)
        if let limit, events.count >= limit {
            lock.withLock { stalled = true }
            try await Task.sleep(for: .seconds(3600))
        }
    }

    /// Whether an apply is stalled now.
    var isStalled: Bool { lock.withLock { stalled } }

    func waitUntilStalled() async throws {
        while !lock.withLock({ stalled }) { try await Task.sleep(for: .milliseconds(20)) }
    }

    func rows(_ store: EventStore, _ target: ProjectionTarget) async throws -> Int {
        try await store.pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT count(*) FROM \(unsafeRaw: target.table("counting"))").singleValue(Int.self) ?? 0
        }
    }
}

/// A real projector that fails once, after it has written its rows for the first batch.
final class FlakyProjector: Projector, @unchecked Sendable {
    private let wrapped: any Projector
    private let lock = NSLock()
    private var failed = false

    init(wrapping wrapped: any Projector) { self.wrapped = wrapped }

    var name: String { wrapped.name }
    var tables: [ProjectionTable] { wrapped.tables }

    struct Crash: Error {}

    func apply(_ events: [RecordedEvent], to target: ProjectionTarget, on connection: PGConnection) async throws {
        try await wrapped.apply(events, to: target, on: connection)
        let first = lock.withLock { () -> Bool in
            defer { failed = true }
            return !failed
        }
        if first { throw Crash() }
    }
}
