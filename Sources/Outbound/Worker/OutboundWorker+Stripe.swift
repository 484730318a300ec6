import Connectors
import Credentials
import EventStore
import SyncDomain
import Synchronization

/// Attempts at Stripe: metadata writes with the request id as their Idempotency-Key, field patches with bases (see
/// `OutboundWorker+Patch.swift`) and creates (`OutboundWorker+StripeCreate.swift`).
extension OutboundWorker {
    func attemptStripe(_ write: StripeWriteRequested, claim: OutboundQueue.Claim, snapshot: OutboundStream.Snapshot) async -> OutboundAttempt {
        let tenant = claim.tenant
        let connections: TenantConnections
        switch await self.connections(for: tenant) {
        case .failure(let failure): return failure.attempt
        case .success(let loaded): connections = loaded
        }
        guard let stripe = connections.stripe else { return .waitingForConnection("tenant \(tenant) has no Stripe connection yet") }
        let client = StripeClient(
            configuration: StripeConfiguration(apiBase: stripe.apiBase, secretKey: stripe.secretKey.revealed, timeout: configuration.stripeTimeout),
            httpClient: httpClient, logger: logger)
        // The request id is the Idempotency-Key: a retry after a lost answer gets Stripe's first answer back.
        let key = write.requestId.description
        do {
            switch write.kind {
            case .metadata(let values):
                guard await waitForRateLimit(tenant, calls: 1), await stillHolds(claim) else { return .notSent }
                count { $0.sent += 1 }
                let sending = ContinuousClock.now
                defer { metrics.step(.send, since: sending) }
                let customer = try await client.updateMetadata(customerID: write.customerId, values.mapValues { Optional($0) }, idempotencyKey: key)
                return .succeeded(customerNumber: nil, written: values.keys.reduce(into: [:]) { $0[$1] = customer.metadata[$1] ?? "" })
            case .patch(let patch):
                guard await waitForRateLimit(tenant, calls: 2) else { return .notSent }  // GET, then the write
                return try await applyPatch(patch, to: write, using: client, fence: { await self.stillHolds(claim) })
            case .create(let fields):
                return await attemptStripeCreate(write, fields: fields, tenant: tenant, snapshot: snapshot, client: client)
            }
        } catch {
            return OutboundAttempt.from(error)
        }
    }

    /// Waits for the tenant's Stripe rate limit; false when the wait was given up (shutting down): nothing is sent.
    func waitForRateLimit(_ tenant: TenantID, calls: Int) async -> Bool {
        do {
            try await timed(.rateWait) { try await stripeLimiter.acquire(tenant, cost: max(1, calls), while: { !self.stopping.load(ordering: .acquiring) }) }
            return true
        } catch {
            return false
        }
    }
}
