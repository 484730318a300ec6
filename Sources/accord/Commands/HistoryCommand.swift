import ArgumentParser
import EventStore
import Foundation
import Projections
import SyncDomain

/// `accord history --tenant T SYSTEM:ID [--json]`: a customer's history across every stream that concerns it, read
/// from the log (no read model, so it works before `accord serve` ever ran and during rebuilds).
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show a customer's history: observations, matching, links, conflicts, requests and the answers to them.",
        discussion: """
            One line per entry, oldest first: global position, time, kind, who acted, what happened, and the position \
            of the event that caused it (← #N) when recorded. --json prints the same entries as \
            GET /api/v1/customers/{system}/{id}/history.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The tenant.")
    var tenant: String

    @Argument(help: "The customer as SYSTEM:ID: stripe:cus_123, economic:42 or file:<customer key>.")
    var customer: String

    @Flag(help: "Print the entries as JSON, as the API answers them.")
    var json = false

    func validate() throws {
        _ = try parsed()
    }

    func run() async throws {
        let (tenantID, ref) = try parsed()
        let logger = global.makeLogger("accord.history")
        let entries = try await withPool(global, logger: logger, maxConnections: 2) { pool in
            guard try await TenantDirectory(pool: pool).contains(tenantID) else {
                throw HistoryFailure(message: "tenant '\(tenantID)' is not known (`accord tenant list` shows the tenants)")
            }
            return try await CustomerHistoryQueries(store: EventStore(pool: pool, logger: logger)).timeline(of: ref, tenant: tenantID)
        }
        guard !entries.isEmpty else {
            throw HistoryFailure(message: "customer \(ref) is not known in tenant '\(tenantID)': nothing in its log concerns it")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(CustomerHistory(customer: ref, entries: entries)), as: UTF8.self))
        } else {
            print(Self.describe(entries))
        }
    }

    /// The tenant and the customer, or a validation error that says what is wrong with them.
    private func parsed() throws -> (TenantID, CustomerRef) {
        let tenantID: TenantID
        do {
            tenantID = try TenantID(tenant)
        } catch {
            throw ValidationError("'\(tenant)' is not a tenant id: \(error)")
        }
        guard let ref = CustomerRef(parsing: customer) else {
            throw ValidationError(
                "'\(customer)' is not a customer: write SYSTEM:ID, where SYSTEM is \(System.allCases.map(\.rawValue).joined(separator: ", ")) "
                    + "(e.g. stripe:cus_123, economic:42)")
        }
        return (tenantID, ref)
    }

    /// One line per entry: `#42  2026-11-24T12:00:00Z  matched  system:reactor  Matched automatically … ← #41`; an
    /// observation lists its changed fields.
    static func describe(_ entries: [TimelineEntry]) -> String {
        let kindWidth = entries.map(\.kind.rawValue.count).max() ?? 0
        let actorWidth = entries.map { ($0.actor ?? "–").count }.max() ?? 0
        let positionWidth = entries.map { String($0.position).count + 1 }.max() ?? 0
        return entries.map { entry in
            var line = [
                "#\(entry.position)".padded(positionWidth), entry.recordedAt.formatted(.iso8601), entry.kind.rawValue.padded(kindWidth),
                (entry.actor ?? "–").padded(actorWidth), entry.summary,
            ].joined(separator: "  ")
            if entry.kind == .observed, !entry.changes.isEmpty {
                line += ": " + entry.changes.map { "\($0.field) \(quoted($0.from)) → \(quoted($0.to))" }.joined(separator: ", ")
            }
            if let cause = entry.causationPosition { line += "  ← #\(cause)" }
            return line
        }.joined(separator: "\n")
    }

    private static func quoted(_ value: String?) -> String { value.map { "'\($0)'" } ?? "(none)" }
}

/// A failure whose message is the whole story (ArgumentParser prints it and exits non-zero).
struct HistoryFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { "history: \(message)" }
}

extension String {
    fileprivate func padded(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
