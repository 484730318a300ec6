import Connectors
import EventSourcing
import EventStore
import Logging
import SyncDomain

/// e-conomic's answer to an update is an observation of the customer, the newest there is: recorded before the
/// update's success, so the customer's stream knows the `lastUpdated` the write left. A read that started before the
/// write landed (a poll, a full read) carries an older `lastUpdated` and is then refused by ``SyncDomain/CustomerDecider``
/// instead of being taken for an edit that turned the written values back — which Accord would otherwise carry to the
/// other side (found by chaos seed 25: a Stripe rename and address overwritten with the values from before them).
extension OutboundWorker {
    func observe(_ answer: EconomicCustomer, tenant: TenantID, logger: Logger) async {
        guard let observed = answer.observation else { return }
        let customer = observed.customer
        do {
            _ = try await DecisionRunner(store: store, logger: logger).decide(
                CustomerDecider.self, .observe(observed), context: (), on: .customer(customer), from: CustomerState(customer: customer),
                tenant: tenant, metadata: EventMetadata(actor: "economic:answer"))
        } catch {
            // The answer is a bonus: the next poll observes the customer anyway.
            logger.notice("could not record e-conomic's answer as an observation", metadata: ["error": "\(error)"])
        }
    }
}
