public import EventStore
import Foundation
public import PGClient
public import SyncDomain

/// Lookups in the read models (through their reader-facing views, in the tenant's scope), for what streams
/// cannot answer cheaply: match candidates, unpartnered lists, customer numbers in use.
public struct ReadModelQueries: Sendable {
    let pool: PGConnectionPool

    /// Makes the queries over a pool.
    public init(pool: PGConnectionPool) { self.pool = pool }

    /// The e-conomic customers indexed under each key (partner information is added from the partnering state),
    /// read in the caller's transaction (in the tenant's scope).
    /// - Throws: database errors.
    static func economicCandidates(for keys: [MatchKey], on connection: PGConnection) async throws -> [MatchKey: [MatchCandidate]] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT key_kind, key_value, external_id FROM match_index
            WHERE side = 'economic' AND (key_kind, key_value) IN (
                SELECT * FROM unnest(\(keys.map(\.kind.rawValue))::text[], \(keys.map(\.value))::text[]))
            ORDER BY external_id
            """
        ).decode((String, String, String).self)
        var result: [MatchKey: [MatchCandidate]] = [:]
        for (kind, value, id) in rows {
            guard let kind = MatchKeyKind(rawValue: kind) else { continue }
            result[MatchKey(kind: kind, normalizedValue: value), default: []].append(.free(CustomerRef(system: .economic, id: id)))
        }
        return result
    }

    /// Facts about every customer of a side that has no partner, no pending creation, and is neither excluded
    /// nor deleted (the candidates for "create partners for all").
    /// - Throws: database errors.
    public func unpartnered(side: System, tenant: TenantID) async throws -> [CustomerFacts] {
        let systems = side == .economic ? [System.economic.rawValue] : [System.stripe.rawValue, System.file.rawValue]
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                SELECT system, external_id, fields FROM customers
                WHERE system = ANY(\(systems)::text[]) AND link_id IS NULL AND pending_request IS NULL AND NOT excluded AND NOT deleted
                ORDER BY system, external_id
                """
            ).decode((String, String, PGJSON).self)
        }
        return try rows.map { system, id, fields in
            CustomerFacts(customer: CustomerRef(system: System(rawValue: system) ?? .file, id: id), fields: try fields.decode([String: String].self))
        }
    }

    /// Which of the given customer numbers belong to an existing (not deleted) e-conomic customer.
    /// - Throws: database errors.
    public func economicNumbersInUse(among numbers: [Int], tenant: TenantID) async throws -> Set<Int> {
        guard !numbers.isEmpty else { return [] }
        let used = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                SELECT external_id FROM customers
                WHERE system = 'economic' AND NOT deleted AND external_id = ANY(\(numbers.map(String.init))::text[])
                """
            ).decode((String).self)
        }
        return Set(used.compactMap { Int($0) })
    }
}
