import Connectors
import Credentials
import EventStore
import Logging
import SyncDomain
import Synchronization

/// Attempts at e-conomic: creates (``attemptCreate(_:tenant:snapshot:client:logger:)``) and updates (field patches with
/// bases, see `OutboundWorker+Patch.swift`).
extension OutboundWorker {
    func attemptEconomic(_ write: EconomicWriteRequested, claim: OutboundQueue.Claim, snapshot: OutboundStream.Snapshot, logger: Logger) async
        -> OutboundAttempt
    {
        let tenant = claim.tenant
        let connections: TenantConnections
        switch await self.connections(for: tenant) {
        case .failure(let failure): return failure.attempt.marked(afterSending: false)
        case .success(let loaded): connections = loaded
        }
        guard let economic = connections.economic else { return .waitingForConnection("tenant \(tenant) has no e-conomic connection yet") }
        let client = EconomicClient(
            configuration: .init(
                baseURL: economic.baseURL, appSecretToken: economic.appSecretToken.revealed,
                agreementGrantToken: economic.agreementGrantToken.revealed, timeout: configuration.economicTimeout),
            httpClient: httpClient, logger: logger)
        do {
            switch write.kind {
            case .create:
                return await attemptCreate(write, tenant: tenant, snapshot: snapshot, client: client, logger: logger)
            case .update(let number):
                try await timed(.rateWait) { try await limiter.acquire(tenant, cost: 2, while: { !self.stopping.load(ordering: .acquiring) }) }  // GET, then PUT
                count { $0.sent += 1 }
                return try await applyPatch(write.patch, toCustomer: number, using: client, fence: { await self.stillHolds(claim) })
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
