public import EventStore
public import PGClient
import Projections
public import SyncDomain

/// What the command side asks of the read models, for what streams cannot answer cheaply: match candidates,
/// unpartnered customers, customer numbers in use. The questions and their SQL belong to the projections that
/// own the tables (``Projections/CustomerQueries``, ``Projections/MatchIndexQueries``); this is the command
/// side's view of them.
public struct ReadModelQueries: Sendable {
    let customers: CustomerQueries

    /// Makes the queries over a pool.
    public init(pool: PGConnectionPool) { self.customers = CustomerQueries(pool: pool) }

    /// The e-conomic customers indexed under each key, read in the caller's transaction (in the tenant's scope).
    /// - Throws: database errors.
    static func economicCandidates(for keys: [MatchKey], on connection: PGConnection) async throws -> [MatchKey: [MatchCandidate]] {
        try await MatchIndexQueries.economicCandidates(for: keys, on: connection)
    }

    /// Facts about every customer of a side that has no partner, no pending creation, and is neither excluded
    /// nor deleted (the candidates for "create partners for all").
    /// - Throws: database errors.
    public func unpartnered(side: System, tenant: TenantID) async throws -> [CustomerFacts] {
        try await customers.partnerCandidates(side: side, tenant: tenant)
    }

    /// Which of the given customer numbers belong to an existing (not deleted) e-conomic customer.
    /// - Throws: database errors.
    public func economicNumbersInUse(among numbers: [Int], tenant: TenantID) async throws -> Set<Int> {
        try await customers.economicNumbersInUse(among: numbers, tenant: tenant)
    }
}
