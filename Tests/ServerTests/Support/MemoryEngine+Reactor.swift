import EventStore
import Foundation
import Projections
import SyncDomain
import SyncEngine

/// The reactor in memory: ``SyncDomain/SyncPolicy`` applied to every observation, inclusion, restart and created
/// partner not yet reacted to, on the states folded from the log and the match candidates of the in-memory
/// match index, until nothing is left (a reaction's own events may call for more).
extension MemoryEngine {
    /// Reacts to everything recorded so far.
    func settle() throws {
        while reacted < log.count {
            let recorded = log[reacted]
            let event = event(at: reacted)
            reacted += 1
            let causation = NameBasedUUID.make(namespace: Self.namespace, name: "event/\(recorded.globalPosition)")
            let metadata = CommandMetadata(
                actor: "system:reactor", correlationID: (try? recorded.decodedMetadata().correlationID) ?? causation,
                causationPosition: recorded.globalPosition)
            let decision: SyncDecision?
            switch event {
            case .customerObserved(let observed):
                decision = policy(for: observed.customer, observed: observed, tenant: recorded.tenant, causation: causation)
            case .customerIncluded(let included):
                decision = policy(for: included.customer, observed: nil, tenant: recorded.tenant, causation: causation)
            case .syncRestarted(let restarted):
                decision = partnering(recorded.tenant).links[restarted.linkId].flatMap {
                    policy(for: $0.source, observed: nil, tenant: recorded.tenant, causation: causation)
                }
            case .outboundSucceeded(let succeeded):
                let tenant = recorded.tenant
                decision = SyncPolicy.decide(
                    succeeded: succeeded, causationId: causation, partnering: partnering(tenant), settings: settings(tenant).effective,
                    customerFacts: { ref in CustomerFacts(customer(ref, of: tenant)) })
            default: decision = nil
            }
            if let decision { try append(decision.events, tenant: recorded.tenant, metadata: metadata) }
        }
    }

    /// The policy for one customer on its current state: its partner's facts when linked, else the e-conomic
    /// customers its match keys find.
    private func policy(for ref: CustomerRef, observed: CustomerObserved?, tenant: TenantID, causation: UUID) -> SyncDecision? {
        let state = customer(ref, of: tenant)
        guard state.exists else { return nil }
        let partnering = partnering(tenant)
        let rules = settings(tenant).effective
        var involved = [ref] + [partnering.link(of: ref)?.partner(of: ref)].compactMap { $0 }
        var candidates: [MatchKey: [MatchCandidate]] = [:]
        if ref.system.isSource, partnering.link(of: ref) == nil, !state.isExcluded, !state.isDeleted {
            candidates = readModels().economicCandidates(for: MatchResolver.sourceKeys(state.fields, settings: rules), tenant: tenant)
            involved += candidates.values.joined().compactMap(\.economicCustomer)
        }
        var facts: [CustomerRef: CustomerFacts] = [:]
        for other in involved { facts[other] = CustomerFacts(customer(other, of: tenant)) }
        let known = facts
        let found = candidates
        let context = SyncContext(
            settings: rules, partnering: partnering, customer: state, customerFacts: { known[$0] }, lookup: { found[$0] ?? [] })
        return SyncPolicy.decide(
            observed: observed ?? CustomerObserved(customer: ref, fields: state.fields), causationId: causation, context: context)
    }

    /// The namespace of the causation ids derived from event positions.
    static let namespace = UUID(uuidString: "5e0c1a57-7d0f-4c1b-9a3e-2b8f6d4e1c90")!
}
