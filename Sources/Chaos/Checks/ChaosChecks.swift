import Connectors
import Outbound
import Projections
import SyncDomain

/// The promises a run checks after quiescence, judged against the run's own record (``ChaosModel``) and what the
/// two systems hold now (``ChaosObservation``). Pure: the same record and observation give the same findings.
///
/// - No e-conomic customer twice: each Stripe customer's token is on at most one e-conomic customer; a customer an
///   accountant created for a Stripe customer to match is its partner; Accord creates nothing that carries no
///   token; strangers stay nobody's.
/// - No Stripe customer without its partner, unless a person is shown why (a match or mapping failure, an
///   exclusion, a request abandoned for a reason other than rate limiting); Accord links the two; a created
///   partner's number is written back to Stripe.
/// - Every mapped field equal on both sides, or an open conflict naming it; where equal, the value is the last one
///   written on either side (see ``ChaosChecks/checkField(_:field:stripe:economic:conflict:customer:emptyOverwrites:)``).
/// - Every field Accord does not manage holds the accountant's last write.
enum ChaosChecks {
    /// What the checks found, and the reasons shown for customers waiting for a person (not failures).
    struct Outcome {
        var findings: [ChaosFinding] = []
        var waiting: [String] = []
        var openConflicts = 0
    }

    static func run(model: ChaosModel, observed: ChaosObservation) -> Outcome {
        var outcome = Outcome()
        let byNumber = Dictionary(observed.economic.compactMap { c in c.customerNumber.map { ($0, c) } }, uniquingKeysWith: { a, _ in a })
        var byToken: [String: [EconomicCustomer]] = [:]
        for customer in observed.economic {
            guard let token = customer.publicEntryNumber, !token.isEmpty else {
                if let number = customer.customerNumber, !model.accountantCreated.contains(number) {
                    outcome.findings.append(
                        ChaosFinding(
                            .duplicate, "e-conomic customer \(number) (\(customer.name), \(customer.email ?? "no e-mail")) belongs to nobody"))
                }
                continue
            }
            byToken[token, default: []].append(customer)
        }
        for (token, holders) in byToken where holders.count > 1 {
            let numbers = holders.compactMap(\.customerNumber).sorted()
            outcome.findings.append(ChaosFinding(.duplicate, "\(token) has \(holders.count) e-conomic customers: \(numbers)"))
        }
        checkStrangers(model: model, observed: observed, byNumber: byNumber, into: &outcome)
        for customer in model.customers.values.sorted(by: { $0.index < $1.index }) {
            checkCustomer(customer, model: model, observed: observed, holders: byToken[customer.token] ?? [], into: &outcome)
        }
        return outcome
    }

    private static func checkStrangers(model: ChaosModel, observed: ChaosObservation, byNumber: [Int: EconomicCustomer], into outcome: inout Outcome)
    {
        for (id, stranger) in model.strangers.sorted(by: { $0.key < $1.key }) {
            guard let customer = byNumber[stranger.number] else {
                outcome.findings.append(ChaosFinding(.lostEdit, "stranger \(id) (e-conomic \(stranger.number)) is gone from e-conomic"))
                continue
            }
            if let token = customer.publicEntryNumber, !token.isEmpty {
                outcome.findings.append(ChaosFinding(.duplicate, "stranger \(id) (e-conomic \(stranger.number)) was taken for \(token)"))
            }
            if let link = observed.partnering.link(of: .economic(stranger.number)) {
                outcome.findings.append(ChaosFinding(.duplicate, "stranger \(id) (e-conomic \(stranger.number)) is linked to \(link.source)"))
            }
            for (key, value) in stranger.fields.sorted(by: { $0.key < $1.key }) where customer.fieldMap[key] != value {
                outcome.findings.append(
                    ChaosFinding(
                        .lostEdit,
                        "stranger \(id) (e-conomic \(stranger.number)): \(key) is \(customer.fieldMap[key] ?? "empty"), the accountant wrote \(value)"
                    ))
            }
        }
    }

    private static func checkCustomer(
        _ customer: ChaosModel.Customer, model: ChaosModel, observed: ChaosObservation, holders: [EconomicCustomer], into outcome: inout Outcome
    ) {
        let name = "#\(customer.index) (\(customer.stripeID ?? "never created"))"
        guard let id = customer.stripeID, !customer.deleted, case .customer(let stripe)? = observed.stripe[customer.index] else { return }
        let ref = CustomerRef.stripe(id)
        let link = observed.partnering.link(of: ref)
        if let match = customer.match, match.byPhone ? model.phoneMatchingHeld(since: match.createdAt) && !customer.phoneChanged : true,
            !holders.isEmpty, !holders.contains(where: { $0.customerNumber == match.number })
        {
            outcome.findings.append(
                ChaosFinding(
                    .duplicate,
                    "\(name) matched e-conomic \(match.number) by \(match.byPhone ? "phone" : "e-mail"), but its partner is "
                        + "\(holders.compactMap(\.customerNumber))"))
        }
        let linked = holders.first { $0.customerNumber == link?.economic.customerNumber }
        guard let partner = linked ?? holders.min(by: { ($0.customerNumber ?? 0) < ($1.customerNumber ?? 0) }), let number = partner.customerNumber
        else {
            if let reason = waitingReason(ref, observed: observed) {
                if reason.hasPrefix("HTTP 429") {
                    outcome.findings.append(ChaosFinding(.missingPartner, "\(name) has no partner: its creation was abandoned for rate limiting"))
                } else {
                    outcome.waiting.append("\(name): \(reason)")
                }
            } else {
                outcome.findings.append(
                    ChaosFinding(
                        .missingPartner,
                        "\(name) has no partner in e-conomic and no reason is shown (Accord: \(link.map { "linked to \($0.economic)" } ?? "no link"), "
                            + "\(observed.partnering.pendingCreation(from: ref) == nil ? "no creation pending" : "a creation pending"))"))
            }
            return
        }
        // A create whose answer was lost and that cannot be looked up safely waits for a person with that reason shown:
        // the customer it made is there, and linking it is theirs to do.
        if link == nil, let request = observed.abandoned.first(where: { $0.source == ref.description && $0.kind == .economicCreate }),
            request.errorHTTPStatus != 429
        {
            outcome.waiting.append("\(name): e-conomic \(number) is there, unlinked: \(request.errorCode ?? "") \(request.errorMessage ?? "")")
            return
        }
        if link?.economic.customerNumber != number {
            outcome.findings.append(
                ChaosFinding(.unlinked, "\(name)'s partner is e-conomic \(number), Accord links it to \(link.map { "\($0.economic)" } ?? "nothing")"))
        }
        if !model.accountantCreated.contains(number), stripe.metadata[ChaosScript.writeBackKey] != String(number) {
            outcome.findings.append(
                ChaosFinding(
                    .numberNotWrittenBack,
                    "\(name): e-conomic \(number) was created for it, Stripe's \(ChaosScript.writeBackKey) is "
                        + "\(stripe.metadata[ChaosScript.writeBackKey] ?? "missing")"))
        }
        let mapped: [String: String]
        do {
            mapped = try CustomerMapper.mapFields(stripe.sourceFields, settings: observed.settings).fields
        } catch {
            outcome.waiting.append("\(name): its fields cannot be mapped (\(error))")
            return
        }
        for field in observed.settings.mappedEconomicFields where field.spec.isMappable {
            let conflict = link?.openConflicts[field.rawValue] != nil
            if conflict { outcome.openConflicts += 1 }
            if var finding = checkField(
                name, field: field, stripe: mapped[field.rawValue], economic: partner.fieldMap[field.rawValue], conflict: conflict,
                customer: customer, emptyOverwrites: observed.settings.emptyOverwrites(field))
            {
                finding.undoneInsideReadWriteWindow =
                    finding.kind == .lostEdit && customer.writes[field]?.last?.side == .economic
                    && observed.undone(number: number, field: field.rawValue)
                outcome.findings.append(finding)
            }
        }
        checkUnmanaged(name, customer: customer, partner: partner, number: number, model: model, observed: observed, into: &outcome)
    }

    /// A mapped field: equal on both sides (then the last value written, unless a conflict is open), or different
    /// with a conflict open — or, where an emptied value does not clear the other side, emptied on the side that
    /// last wrote it.
    static func checkField(
        _ name: String, field: EconomicField, stripe: String?, economic: String?, conflict: Bool, customer: ChaosModel.Customer,
        emptyOverwrites: Bool
    ) -> ChaosFinding? {
        let writes = customer.writes[field] ?? []
        let history = writes.map { "\($0.side.rawValue) \($0.value.isEmpty ? "∅" : $0.value) at \($0.sequence)" }.joined(separator: ", ")
        let sides = "Stripe \(stripe ?? "∅"), e-conomic \(economic ?? "∅")"
        if ValueEquivalence.areEquivalent(stripe, economic, for: field) {
            guard !conflict, let last = writes.last else { return nil }
            if !last.value.isEmpty, !ValueEquivalence.areEquivalent(stripe, last.value, for: field) {
                return ChaosFinding(
                    .lostEdit, "\(name) \(field): both sides hold \(stripe ?? "∅"), the last write was \(last.value) (writes: \(history))")
            }
            if last.value.isEmpty, emptyOverwrites, !FieldValues.isBlank(stripe) {
                return ChaosFinding(.lostEdit, "\(name) \(field): the last write cleared it, both sides hold \(stripe ?? "∅") (writes: \(history))")
            }
            return nil
        }
        if conflict { return nil }
        if !emptyOverwrites, let last = writes.last, last.value.isEmpty {
            let emptied: ChaosModel.FieldWrite.Side? = FieldValues.isBlank(stripe) ? .stripe : FieldValues.isBlank(economic) ? .economic : nil
            if emptied == last.side { return nil }
        }
        return ChaosFinding(.divergentField, "\(name) \(field): \(sides), no open conflict (writes: \(history))")
    }

    /// Fields Accord does not manage (never mapped, or unmapped before the accountant's last write) keep that write.
    private static func checkUnmanaged(
        _ name: String, customer: ChaosModel.Customer, partner: EconomicCustomer, number: Int, model: ChaosModel, observed: ChaosObservation,
        into outcome: inout Outcome
    ) {
        guard let writes = customer.accountantWrites[number] else { return }
        var keys = ChaosModel.unmanaged
        for field in [EconomicField.telephoneAndFaxNumber, .city] {
            if let unmapped = model.lastUnmapped(field), let write = writes[field.rawValue], write.sequence > unmapped { keys.append(field.rawValue) }
        }
        for key in keys {
            guard let write = writes[key] else { continue }
            let actual =
                key == ChaosScript.creditLimitKey ? partner.creditLimit.map { String(Int($0)) } : partner.fieldMap[key]
            if (actual ?? "") != write.value {
                var finding = ChaosFinding(
                    .lostEdit, "\(name) e-conomic \(number) \(key): \(actual ?? "∅"), the accountant wrote \(write.value) at \(write.sequence)")
                finding.undoneInsideReadWriteWindow = observed.undone(number: number, field: key)
                outcome.findings.append(finding)
            }
        }
    }

    /// Why a person is shown this customer has no partner, if they are.
    private static func waitingReason(_ ref: CustomerRef, observed: ChaosObservation) -> String? {
        if let row = observed.foldedCustomers[ref] {
            if row.excluded { return "excluded" }
            if let failure = row.matchFailure { return "match failed: \(failure)" }
            if let failure = row.mappingFailure { return "mapping failed: \(failure)" }
        }
        if let request = observed.abandoned.first(where: { $0.source == ref.description && $0.kind == .economicCreate }) {
            return "HTTP \(request.errorHTTPStatus.map(String.init) ?? "-") \(request.errorCode ?? "") \(request.errorMessage ?? "")"
        }
        return nil
    }
}
