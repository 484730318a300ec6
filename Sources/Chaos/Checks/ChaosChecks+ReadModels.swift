import Projections
import SyncDomain

extension ChaosChecks {
    /// Every read model equals the fold of the streams; links and conflicts equal the command side's; and the run's
    /// partnered customers show as partnered (neither listed as unpartnered nor shown without a partner).
    static func readModels(model: ChaosModel, observed: ChaosObservation) -> [ChaosFinding] {
        var findings: [ChaosFinding] = []
        let stored = observed.stored
        let folded = observed.folded
        func compare<Row: Equatable>(_ name: String, _ lhs: [Row], _ rhs: [Row], key: (Row) -> String) {
            guard lhs != rhs else { return }
            let left = Dictionary(lhs.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
            let right = Dictionary(rhs.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
            let differing = Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }.sorted()
            findings.append(
                ChaosFinding(
                    .readModel,
                    "\(name): the read model has \(lhs.count) rows, the fold \(rhs.count); \(differing.count) differ, e.g. "
                        + differing.prefix(3).map {
                            "\($0): stored \(left[$0].map { "\($0)" } ?? "none") vs folded \(right[$0].map { "\($0)" } ?? "none")"
                        }
                        .joined(separator: "; ")))
        }
        compare("customers", stored.customers, folded.customers) { $0.customer.description }
        compare("unpartnered source customers", stored.unpartneredSource, folded.unpartneredSource) { "\($0.system):\($0.externalID)" }
        compare("unpartnered e-conomic customers", stored.unpartneredEconomic, folded.unpartneredEconomic) { "\($0.system):\($0.externalID)" }
        compare("links", stored.links, folded.links) { $0.linkID }
        compare("conflicts", stored.conflicts, folded.conflicts) { "\($0.linkID) \($0.field)" }
        if stored.customerCounts != folded.customerCounts {
            findings.append(ChaosFinding(.readModel, "overview customer counts \(stored.customerCounts), folded \(folded.customerCounts)"))
        }
        if stored.linkCounts != folded.linkCounts {
            findings.append(ChaosFinding(.readModel, "overview link counts \(stored.linkCounts), folded \(folded.linkCounts)"))
        }
        findings += commandSide(observed)
        findings += partneredShown(model: model, observed: observed)
        return findings
    }

    /// The links and open conflicts the command side decides on are the ones the read models show.
    private static func commandSide(_ observed: ChaosObservation) -> [ChaosFinding] {
        var findings: [ChaosFinding] = []
        let decided = Set(observed.partnering.links.values.map { "\($0.id) \($0.source) economic:\($0.economic.id) stopped=\($0.isStopped)" })
        let shown = Set(observed.stored.links.map { "\($0.linkID) \($0.source) economic:\($0.economicNumber) stopped=\($0.stopped)" })
        if decided != shown {
            findings.append(
                ChaosFinding(
                    .readModel,
                    "links: the command side has \(decided.count), the read model \(shown.count); only decided: "
                        + "\(decided.subtracting(shown).sorted().prefix(3)); only shown: \(shown.subtracting(decided).sorted().prefix(3))"))
        }
        let open = Set(observed.partnering.links.values.flatMap { link in link.openConflicts.keys.map { "\(link.id) \($0)" } })
        let listed = Set(observed.stored.conflicts.map { "\($0.linkID) \($0.field)" })
        if open != listed {
            findings.append(
                ChaosFinding(
                    .readModel,
                    "conflicts: the command side has \(open.count) open, the read model lists \(listed.count); only open: "
                        + "\(open.subtracting(listed).sorted().prefix(3)); only listed: \(listed.subtracting(open).sorted().prefix(3))"))
        }
        return findings
    }

    /// A linked pair shows as partnered on both sides of the customers list and in neither unpartnered list.
    private static func partneredShown(model: ChaosModel, observed: ChaosObservation) -> [ChaosFinding] {
        var findings: [ChaosFinding] = []
        let rows = Dictionary(observed.stored.customers.map { ($0.customer, $0) }, uniquingKeysWith: { a, _ in a })
        let unpartnered = Set((observed.stored.unpartneredSource + observed.stored.unpartneredEconomic).map { "\($0.system):\($0.externalID)" })
        for customer in model.customers.values.sorted(by: { $0.index < $1.index }) {
            guard let id = customer.stripeID, !customer.deleted, let link = observed.partnering.link(of: .stripe(id)) else { continue }
            for ref in [link.source, link.economic] {
                if rows[ref]?.partner == nil {
                    findings.append(
                        ChaosFinding(.readModel, "#\(customer.index): \(ref) is linked (\(link.id)) but the customers list shows no partner"))
                }
                if unpartnered.contains(ref.description) {
                    findings.append(ChaosFinding(.readModel, "#\(customer.index): \(ref) is linked (\(link.id)) but listed as unpartnered"))
                }
            }
        }
        return findings
    }
}
