import Connectors
import Credentials
import EventStore
import Logging
import SyncDomain
import Synchronization

/// Attempts at e-conomic: creates (reconciled first when an earlier attempt may have created the customer) and updates
/// (field patches with bases, see `OutboundWorker+Patch.swift`).
extension OutboundWorker {
    func attemptEconomic(_ write: EconomicWriteRequested, tenant: TenantID, reconcile: Bool, logger: Logger) async -> OutboundAttempt {
        let connections: TenantConnections
        switch await self.connections(for: tenant) {
        case .failure(let failure): return failure.attempt
        case .success(let loaded): connections = loaded
        }
        guard let economic = connections.economic else {
            return .needsPerson(
                OutboundError(
                    code: "NO_CONNECTION", message: "tenant \(tenant) has no e-conomic connection: add its tokens, then retry the request"))
        }
        let client = EconomicClient(
            configuration: .init(
                baseURL: economic.baseURL, appSecretToken: economic.appSecretToken.revealed,
                agreementGrantToken: economic.agreementGrantToken.revealed, timeout: configuration.economicTimeout),
            httpClient: httpClient, logger: logger)
        do {
            switch write.kind {
            case .create:
                if reconcile {
                    try await limiter.acquire(tenant, while: { !self.stopping.load(ordering: .acquiring) })
                    count { $0.reconciliations += 1 }
                    switch try await EconomicReconciler.find(write, using: client) {
                    case .one(let existing):
                        count { $0.reconciledExisting += 1 }
                        logger.info(
                            "found the customer an earlier attempt created", metadata: ["economic.customer_number": "\(existing.customerNumber ?? 0)"]
                        )
                        return .succeeded(customerNumber: existing.customerNumber, written: Self.written(existing, write.payload))
                    case .several(let numbers):
                        return .needsPerson(
                            OutboundError(
                                code: "AMBIGUOUS_MATCH",
                                message: "e-conomic has \(numbers.count) customers that match what this request sent "
                                    + "(numbers \(numbers.map(String.init).joined(separator: ", "))); an earlier attempt may have created one of them. "
                                    + "Link the right one or remove the duplicates, then retry the request"))
                    case .none:
                        break
                    }
                }
                let customer: EconomicCustomer
                do {
                    customer = try EconomicCustomer(fieldMap: write.payload)
                } catch {
                    return .needsPerson(OutboundError(code: "INVALID_PAYLOAD", message: "the request's payload is not a valid customer: \(error)"))
                }
                try await limiter.acquire(tenant, while: { !self.stopping.load(ordering: .acquiring) })
                count { $0.sent += 1 }
                let created = try await client.createCustomer(customer)
                return .succeeded(customerNumber: created.customerNumber, written: Self.written(created, write.payload))
            case .update(let number):
                try await limiter.acquire(tenant, cost: 2, while: { !self.stopping.load(ordering: .acquiring) })  // GET, then PUT
                count { $0.sent += 1 }
                return try await applyPatch(write.patch, toCustomer: number, using: client)
            }
        } catch let error as EconomicAPIError {
            return OutboundAttempt.from(error)
        } catch is RateLimitWaitAbandoned {
            return .notSent
        } catch {
            return .failed(OutboundError(code: "cancelled", message: "the attempt was interrupted: \(error)"), retryAfter: nil)
        }
    }

    /// The customer's values for the fields the request wrote, plus its number.
    static func written(_ customer: EconomicCustomer, _ payload: [String: String]) -> [String: String] {
        var written = customer.fieldMap.filter { payload[$0.key] != nil }
        if let number = customer.customerNumber { written["customerNumber"] = String(number) }
        return written
    }
}
