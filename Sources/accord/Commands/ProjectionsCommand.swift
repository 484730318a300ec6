import ArgumentParser
import EventStore
import Foundation
import PGClient
import Projections
import Runtime
import SyncEngine

/// `accord projections`: each projection's active (and building) version, checkpoint and lag, and the tenants whose
/// matching waits for their match index to be rebuilt.
struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "Show each projection's versions, checkpoints and how far behind the event log they are, and whose matching is held.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let logger = global.makeLogger("accord.projections")
        try await withPool(global, logger: logger, maxConnections: 2) { pool in
            let entries = try await ProjectionRegistry(pool: pool).entries()
            let known = Set(entries.map(\.name))
            print("projection        version  state     behind  reason")
            for entry in entries {
                let behind = try await pool.withTransaction(scope: .system) { connection in
                    try await connection.query(
                        """
                        SELECT count(*) FROM events WHERE (txid, global_position) >
                            (\(String(entry.checkpoint.transactionID))::xid8, \(entry.checkpoint.globalPosition))
                        """
                    ).singleValue(Int.self) ?? 0
                }
                print(
                    entry.name.padding(toLength: 18, withPad: " ", startingAt: 0)
                        + String(entry.version).padding(toLength: 9, withPad: " ", startingAt: 0)
                        + entry.state.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                        + String(behind).padding(toLength: 8, withPad: " ", startingAt: 0) + entry.reason)
            }
            for projector in AccordServices.projectors where !known.contains(projector.name) {
                print(projector.name.padding(toLength: 18, withPad: " ", startingAt: 0) + "-        not started yet")
            }
            let holds = try await MatchingHold.all(store: EventStore(pool: pool, logger: logger))
            guard !holds.isEmpty else { return print("\nmatching: held for no tenant") }
            print("\nmatching held (no customer is matched or created until the match index is rebuilt for the new match fields):")
            let time = ISO8601DateFormatter()
            for (tenant, hold) in holds {
                print(
                    "  \(tenant): match fields changed at \(time.string(from: hold.since)) (settings version \(hold.settingsVersion)); "
                        + "\(hold.heldDecisions) decisions held; rebuild \(hold.rebuild)")
            }
        }
    }
}
