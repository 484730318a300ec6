public import EventStore
public import SyncDomain

/// The read-model queries answered from the in-memory fold, with the SQL's filters, order and paging
/// (``CustomerQueries``, ``PartnerLinkQueries``, ``MatchIndexQueries``): the tests hold each SQL query to its
/// answer here, and in-memory servers answer with them.
extension ReferenceReadModels {
    // MARK: Customers

    /// ``CustomerQueries/page(_:filter:)``.
    public func customers(_ tenant: TenantID, filter: CustomerFilter) -> (rows: [CustomerRow], total: Int) {
        page(byName(customerRows(of: tenant).filter(filter.matches)), limit: filter.limit, offset: filter.offset)
    }

    /// ``CustomerQueries/customers(_:refs:)`` (ordered by key).
    public func customers(_ tenant: TenantID, refs: [CustomerRef]) -> [CustomerRow] {
        let wanted = Set(refs.map { CustomerKey(tenant: tenant.rawValue, $0) })
        return customerRows.filter { wanted.contains($0.key) }
    }

    /// ``CustomerQueries/fileCustomers(_:)``.
    public func fileCustomers(_ tenant: TenantID) -> [CustomerQueries.FileCustomer] {
        let links = Dictionary(partnerLinkRows.filter { $0.tenantID == tenant.rawValue }.map { ($0.linkID, $0) }) { first, _ in first }
        return customerRows(of: tenant).filter { $0.system == System.file.rawValue && !$0.deleted }
            .sorted { CCollation.less($0.externalID, $1.externalID) }
            .map { row in
                let link = row.linkID.flatMap { links[$0] }
                return CustomerQueries.FileCustomer(row: row, agreed: link.flatMap { $0.stopped ? nil : $0.agreed })
            }
    }

    /// ``CustomerQueries/unpartnered(_:side:search:limit:offset:)``.
    public func unpartnered(_ tenant: TenantID, side: String, search: String? = nil, limit: Int, offset: Int) -> (rows: [UnpartneredRow], total: Int) {
        let rows = unpartneredRows.filter {
            $0.tenantID == tenant.rawValue && $0.side == side && CustomerFilter.found(search, name: $0.name, email: $0.email, id: $0.externalID)
        }
        let sorted = rows.sorted { CCollation.less(Self.nameKey($0.name, $0.system, $0.externalID), Self.nameKey($1.name, $1.system, $1.externalID)) }
        return page(sorted, limit: limit, offset: offset)
    }

    /// ``CustomerQueries/failures(_:search:limit:offset:)``.
    public func failures(_ tenant: TenantID, search: String? = nil, limit: Int, offset: Int) -> (rows: [CustomerRow], total: Int) {
        let found = customerRows(of: tenant).filter { Self.hasFailed($0) && CustomerFilter.found(search, name: $0.name, email: $0.email, id: $0.externalID) }
        return page(byName(found), limit: limit, offset: offset)
    }

    /// ``CustomerQueries/counts(on:)``.
    public func customerCounts(_ tenant: TenantID) -> CustomerQueries.Counts {
        let unpartnered = unpartneredRows.filter { $0.tenantID == tenant.rawValue }
        let customers = customerRows(of: tenant)
        return CustomerQueries.Counts(
            unpartneredSource: unpartnered.count { $0.side == "source" }, unpartneredEconomic: unpartnered.count { $0.side == "economic" },
            failures: customers.count(where: Self.hasFailed), excluded: customers.count { $0.excluded && !$0.deleted })
    }

    /// ``CustomerQueries/partnerCandidates(side:tenant:)``.
    public func partnerCandidates(side: System, tenant: TenantID) -> [CustomerFacts] {
        let systems = side == .economic ? [System.economic.rawValue] : [System.stripe.rawValue, System.file.rawValue]
        return customerRows(of: tenant)
            .filter { systems.contains($0.system) && $0.linkID == nil && $0.pendingRequest == nil && !$0.excluded && !$0.deleted }
            .sorted { CCollation.less([$0.system, $0.externalID], [$1.system, $1.externalID]) }
            .map { CustomerFacts(customer: $0.customer, fields: $0.fields) }
    }

    /// ``CustomerQueries/economicNumbersInUse(among:tenant:)``.
    public func economicNumbersInUse(among numbers: [Int], tenant: TenantID) -> Set<Int> {
        let wanted = Set(numbers.map(String.init))
        return Set(
            customerRows(of: tenant).filter { $0.system == System.economic.rawValue && !$0.deleted && wanted.contains($0.externalID) }
                .compactMap { Int($0.externalID) })
    }

    // MARK: Partnering

    /// ``PartnerLinkQueries/page(_:search:limit:offset:)``.
    public func links(_ tenant: TenantID, search: String? = nil, limit: Int, offset: Int) -> (rows: [PartnerLinkRow], total: Int) {
        let rows = partnerLinkRows.filter { $0.tenantID == tenant.rawValue }.filter(pairFound(tenant, search))
        return page(
            rows.sorted { $0.linkedAt != $1.linkedAt ? $0.linkedAt > $1.linkedAt : CCollation.less($0.linkID, $1.linkID) }, limit: limit,
            offset: offset)
    }

    /// ``PartnerLinkQueries/links(_:ids:)`` (ordered by key).
    public func links(_ tenant: TenantID, ids: [String]) -> [PartnerLinkRow] {
        partnerLinkRows.filter { $0.tenantID == tenant.rawValue && ids.contains($0.linkID) }
    }

    /// Whether a pair of the tenant has a customer whose name, e-mail or id contains `search`, as
    /// `PartnerLinkQueries.pairFound` decides.
    private func pairFound(_ tenant: TenantID, _ search: String?) -> (PartnerLinkRow) -> Bool {
        guard search != nil else { return { _ in true } }
        let named = Set(
            customerRows(of: tenant).filter { CustomerFilter.found(search, in: [$0.name ?? "", $0.email ?? ""]) }.map { "\($0.system):\($0.externalID)" })
        return { link in
            CustomerFilter.found(search, in: [link.source, link.economicNumber]) || named.contains(link.source)
                || named.contains("economic:\(link.economicNumber)")
        }
    }

    /// ``PartnerLinkQueries/conflicts(_:link:search:)``.
    public func conflicts(_ tenant: TenantID, link: LinkID? = nil, search: String? = nil) -> [ConflictRow] {
        let found = Set(partnerLinkRows.filter { $0.tenantID == tenant.rawValue }.filter(pairFound(tenant, search)).map(\.linkID))
        return conflictRows.filter { $0.tenantID == tenant.rawValue && (link == nil || $0.linkID == link?.description) }
            .filter { search == nil || found.contains($0.linkID) }
            .sorted { $0.since != $1.since ? $0.since < $1.since : CCollation.less([$0.linkID, $0.field], [$1.linkID, $1.field]) }
    }

    /// ``PartnerLinkQueries/pendingCreations(_:)``.
    public func pendingCreations(_ tenant: TenantID) -> [PendingCreationRow] {
        pendingCreationRows.filter { $0.tenantID == tenant.rawValue }
            .sorted { $0.requestedAt != $1.requestedAt ? $0.requestedAt < $1.requestedAt : CCollation.less($0.requestID, $1.requestID) }
    }

    /// ``PartnerLinkQueries/counts(on:)``.
    public func partnerLinkCounts(_ tenant: TenantID) -> PartnerLinkQueries.Counts {
        let links = partnerLinkRows.filter { $0.tenantID == tenant.rawValue }
        let open = conflicts(tenant)
        return PartnerLinkQueries.Counts(
            synchronised: links.count { !$0.stopped }, stopped: links.count(where: \.stopped), conflictedLinks: Set(open.map(\.linkID)).count,
            conflictingFields: open.count, pendingCreations: pendingCreations(tenant).count)
    }

    // MARK: Matching

    /// ``MatchIndexQueries/economicCandidates(for:on:)``.
    public func economicCandidates(for keys: [MatchKey], tenant: TenantID) -> [MatchKey: [MatchCandidate]] {
        let wanted = Set(keys)
        var result: [MatchKey: [MatchCandidate]] = [:]
        let rows = matchIndexRows.filter { $0.tenantID == tenant.rawValue && $0.side == "economic" }.sorted {
            CCollation.less($0.externalID, $1.externalID)
        }
        for row in rows {
            guard let key = row.key, wanted.contains(key) else { continue }
            result[key, default: []].append(.free(CustomerRef(system: .economic, id: row.externalID)))
        }
        return result
    }

    // MARK: Helpers

    private func customerRows(of tenant: TenantID) -> [CustomerRow] { customerRows.filter { $0.tenantID == tenant.rawValue } }

    private static func hasFailed(_ row: CustomerRow) -> Bool { !row.deleted && (row.matchFailure != nil || row.mappingFailure != nil) }

    /// `ORDER BY lower(coalesce(name, '')), system, external_id`
    private static func nameKey(_ name: String?, _ system: String, _ id: String) -> [String] { [CCollation.lower(name ?? ""), system, id] }

    private func byName(_ rows: [CustomerRow]) -> [CustomerRow] {
        rows.sorted { CCollation.less(Self.nameKey($0.name, $0.system, $0.externalID), Self.nameKey($1.name, $1.system, $1.externalID)) }
    }

    /// `LIMIT … OFFSET …`, and the count before it.
    private func page<Row>(_ rows: [Row], limit: Int, offset: Int) -> (rows: [Row], total: Int) {
        (Array(rows.dropFirst(offset).prefix(limit)), rows.count)
    }
}
