import Connectors
import EventStore
import Logging
import SyncDomain

/// Stripe creates (an e-conomic customer's partner), whose effect must be exactly-once: every `POST /v1/customers` carries
/// the request id as its Idempotency-Key — Stripe answers a repeat with its first answer, for a day — and in the new
/// customer's metadata (``SyncDomain/StripeWriteKind/creationKey``). A send is announced on the stream first
/// (``SyncDomain/EconomicCreateStarted``, as for e-conomic creates); when an earlier send's outcome is unknown (no
/// answer, a 5xx, a worker that died) the customer it may have made is looked for by that metadata before anything is
/// sent again, so neither a lost answer nor an emulator without idempotency keys makes a second customer.
extension OutboundWorker {
    func attemptStripeCreate(
        _ write: StripeWriteRequested, fields: [String: String], tenant: TenantID, snapshot: OutboundStream.Snapshot, client: StripeClient
    ) async -> OutboundAttempt {
        let parts: StripeWriteParts
        do {
            parts = try StripeWriteParts(fields.filter { !$0.value.isEmpty })
        } catch {
            return OutboundAttempt.needsPerson(error.refusal).marked(afterSending: false)
        }
        let (stripeFields, metadata) = (parts.fields, parts.metadata)
        let sent = Set(fields.keys)
        do throws(StripeAPIError) {
            if snapshot.create.outcomeUnknown {
                guard await waitForRateLimit(tenant, calls: 1) else { return .notSent }
                count { $0.reconciliations += 1 }
                if let found = try await created(by: write.requestId, email: stripeFields[.email], using: client) {
                    count { $0.reconciledExisting += 1 }
                    metrics.result("reconciled", target: "stripe")
                    logger.info("found the Stripe customer an earlier attempt created", metadata: ["stripe.customer_id": "\(found.id)"])
                    return .succeeded(customerNumber: nil, written: found.sourceFields.filter { sent.contains($0.key) }, stripeCustomerId: found.id)
                }
            }
            guard await waitForRateLimit(tenant, calls: 1) else { return .notSent }
        } catch {
            return OutboundAttempt.from(error).marked(afterSending: false)
        }
        do {
            _ = try await timed(.start) {
                try await stream.recordStart(write.requestId, existing: snapshot.create.existingAtFirstSend == nil ? [] : nil, of: tenant, at: snapshot)
            }
        } catch {
            logger.notice("the Stripe create was not sent: its start could not be recorded on the stream as read", metadata: ["error": "\(error)"])
            return .notSent
        }
        count { $0.sent += 1 }
        do throws(StripeAPIError) {
            let sending = ContinuousClock.now
            defer { metrics.step(.send, since: sending) }
            let customer = try await client.createCustomer(fields: stripeFields, metadata: metadata, idempotencyKey: write.requestId.description)
            return .succeeded(customerNumber: nil, written: customer.sourceFields.filter { sent.contains($0.key) }, stripeCustomerId: customer.id)
        } catch {
            return OutboundAttempt.from(error).marked(afterSending: error.kind != .invalidArgument)
        }
    }

    /// The Stripe customer that names `requestId` in its metadata: among those with the e-mail sent, or, for a
    /// customer created without one, among all the account's customers (a rare lookup: only after a lost answer).
    private func created(by requestId: RequestID, email: String?, using client: StripeClient) async throws(StripeAPIError) -> StripeCustomer? {
        var cursor: String?
        while true {
            let page = try await client.customers(limit: 100, startingAfter: cursor, email: email)
            if let found = page.data.first(where: { $0.metadata[StripeWriteKind.creationKey] == requestId.description }) { return found }
            guard page.hasMore, let last = page.data.last else { return nil }
            cursor = last.id
        }
    }
}
