import EventStore
import Foundation
import Ingest
import PGClient
import Projections
import Server
import SyncDomain

/// ``Server/TenantReads`` from the in-memory engine: the read models' queries answered by the in-memory fold
/// (the same answers the projection tests hold the SQL to), the histories and the outbound problems from the
/// in-memory log. There is no webhook endpoint without PostgreSQL, so the inbox is empty.
struct MemoryReads: TenantReads {
    let engine: MemoryEngine

    func overview(_ tenant: TenantID) async throws -> TenantOverview {
        let models = await engine.readModels()
        return TenantOverview(
            customers: models.customerCounts(tenant), partnering: models.partnerLinkCounts(tenant),
            outboundFailures: try await allOutboundProblems(tenant).filter(\.isFailure).count, inboxPending: 0, inboxFailed: 0)
    }

    func customers(_ tenant: TenantID, filter: CustomerFilter) async throws -> (rows: [CustomerRow], total: Int) {
        await engine.readModels().customers(tenant, filter: filter)
    }

    func customers(_ tenant: TenantID, refs: [CustomerRef]) async throws -> [CustomerRow] {
        await engine.readModels().customers(tenant, refs: refs)
    }

    func fileCustomers(_ tenant: TenantID) async throws -> [CustomerQueries.FileCustomer] {
        await engine.readModels().fileCustomers(tenant)
    }

    func unpartnered(_ tenant: TenantID, side: String, search: String?, limit: Int, offset: Int) async throws -> (rows: [UnpartneredRow], total: Int) {
        await engine.readModels().unpartnered(tenant, side: side, search: search, limit: limit, offset: offset)
    }

    /// Every free customer of the side: the ranking decides (the SQL's first cut is tested over PostgreSQL).
    func suggestionCandidates(_ tenant: TenantID, side: System, keys: [PartnerSuggestion.Reason: Set<MatchKey>], limit: Int) async throws
        -> [CustomerRow]
    {
        let models = await engine.readModels()
        return models.customers(tenant, refs: models.partnerCandidates(side: side, tenant: tenant).map(\.customer))
    }

    func matchFailures(_ tenant: TenantID, search: String?, limit: Int, offset: Int) async throws -> (rows: [CustomerRow], total: Int) {
        await engine.readModels().failures(tenant, search: search, limit: limit, offset: offset)
    }

    func links(_ tenant: TenantID, search: String?, limit: Int, offset: Int) async throws -> (rows: [PartnerLinkRow], total: Int) {
        await engine.readModels().links(tenant, search: search, limit: limit, offset: offset)
    }

    func links(_ tenant: TenantID, ids: [String]) async throws -> [PartnerLinkRow] {
        await engine.readModels().links(tenant, ids: ids)
    }

    func conflicts(_ tenant: TenantID, link: LinkID?, search: String?) async throws -> [ConflictRow] {
        await engine.readModels().conflicts(tenant, link: link, search: search)
    }

    func pendingCreations(_ tenant: TenantID) async throws -> [PendingCreationRow] {
        await engine.readModels().pendingCreations(tenant)
    }

    /// With `search`: the problems whose customer's id, name or e-mail contains it (the SQL also looks at the pair a
    /// write serves; the tests over memory do not need that).
    func outboundProblems(_ tenant: TenantID, search: String?, limit: Int, offset: Int) async throws -> (rows: [OutboundProblem], total: Int) {
        var all = try await allOutboundProblems(tenant)
        if let search {
            var kept: [OutboundProblem] = []
            for problem in all {
                guard let text = problem.customer, let ref = CustomerRef(parsing: text) else { continue }
                let row = try await customer(tenant, ref)
                if [text, row?.name ?? "", row?.email ?? ""].contains(where: { $0.localizedCaseInsensitiveContains(search) }) { kept.append(problem) }
            }
            all = kept
        }
        return (Array(all.dropFirst(offset).prefix(limit)), all.count)
    }

    /// Each outbound stream's first event (the request) and last (its latest outcome), most recent first.
    private func allOutboundProblems(_ tenant: TenantID) async throws -> [OutboundProblem] {
        var streams: [String: [RecordedEvent]] = [:]
        for recorded in await engine.log where recorded.tenant == tenant && recorded.stream.rawValue.hasPrefix("outbound-") {
            streams[recorded.stream.rawValue, default: []].append(recorded)
        }
        return try streams.values.compactMap { events in
            guard let first = events.first, let last = events.last else { return nil }
            return OutboundProblem(request: try Self.decode(first), outcome: try Self.decode(last), at: last.recordedAt)
        }.sorted { $0.at > $1.at }
    }

    /// The timeline folded from the tenant's whole log (the fold picks what concerns the customer).
    func history(_ tenant: TenantID, _ ref: CustomerRef) async throws -> [TimelineEntry] {
        CustomerTimeline.entries(of: ref, in: try await engine.log.filter { $0.tenant == tenant }.map { try TimelineEvent($0) })
    }

    func replay(_ tenant: TenantID, proposal: TenantSettings, limit: Int, offset: Int) async throws -> ReplayReport {
        var fold = ReplayFold(proposal: proposal)
        for recorded in await engine.log where recorded.tenant == tenant {
            fold.apply(try Self.decode(recorded), position: recorded.globalPosition)
        }
        return fold.report(limit: limit, offset: offset)
    }

    func inbox(_ tenant: TenantID, limit: Int) async throws -> [WebhookInbox.Entry] { [] }

    private static func decode(_ recorded: RecordedEvent) throws -> SyncEvent {
        try SyncEvent.decode(type: recorded.type, schemaVersion: Int(recorded.schemaVersion), data: Data(recorded.data.text.utf8))
    }
}
