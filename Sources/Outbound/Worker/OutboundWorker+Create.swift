import Connectors
import EventStore
import Logging
import SyncDomain
import Synchronization

/// e-conomic creates, whose effect must be exactly-once although e-conomic has no idempotency keys: the stream says
/// whether an earlier send may have taken effect (``SyncDomain/EconomicCreateProgress``); only then is the customer
/// looked up first (``EconomicReconciler``), and never adopted if it existed before the first send. Each `POST` is
/// preceded by ``SyncDomain/EconomicCreateStarted`` — the first with what already matched — appended at exactly the
/// version decided on, so a send is never based on a stream that changed.
extension OutboundWorker {
    func attemptCreate(
        _ write: EconomicWriteRequested, tenant: TenantID, snapshot: OutboundStream.Snapshot, client: EconomicClient, logger: Logger
    ) async -> OutboundAttempt {
        let progress = snapshot.create
        let keepWaiting = { !self.stopping.load(ordering: .acquiring) }
        var existing: [Int]?
        let customer: EconomicCustomer
        do {
            customer = try EconomicCustomer(fieldMap: write.payload)
        } catch {
            return .needsPerson(
                OutboundError(code: "INVALID_PAYLOAD", message: "the request's payload is not a valid customer: \(error)", afterSending: false))
        }
        do {
            switch EconomicReconciler.plan(write, progress: progress) {
            case .askPerson(let error):
                logger.notice("a create whose outcome is unknown cannot be looked up safely; it waits for a person")
                return .needsPerson(error)
            case .reconcile:
                try await timed(.rateWait) { try await limiter.acquire(tenant, while: keepWaiting) }
                count { $0.reconciliations += 1 }
                switch try await EconomicReconciler.find(write, progress: progress, using: client) {
                case .one(let found):
                    count { $0.reconciledExisting += 1 }
                    metrics.result("reconciled", target: "economic")
                    logger.info(
                        "found the customer an earlier attempt created", metadata: ["economic.customer_number": "\(found.customerNumber ?? 0)"])
                    return .succeeded(customerNumber: found.customerNumber, written: Self.written(found, write.payload))
                case .several(let numbers):
                    return .needsPerson(
                        OutboundError(
                            code: "AMBIGUOUS_MATCH",
                            message: "e-conomic has \(numbers.count) customers that match what this request sent and that were not there before "
                                + "its first attempt (numbers \(numbers.map(String.init).joined(separator: ", "))); an earlier attempt may have "
                                + "created one of them. Link the right one or remove the duplicates, then retry the request",
                            afterSending: false))
                case .cannotTell(let reason):
                    logger.notice("a create whose outcome is unknown found customers it cannot tell from strangers; it waits for a person")
                    return .needsPerson(.cannotReconcile(reason))
                case .none:
                    break
                }
            case .send:
                break
            }
            if progress.existingAtFirstSend == nil {
                // The lookup and the POST reserved together, as an update's GET and PUT are: otherwise another request of
                // the tenant, claimed meanwhile, could take the POST's token and leave this one waiting in its slot for
                // the tenant's next token while other tenants wait for a slot.
                try await timed(.rateWait) { try await limiter.acquire(tenant, cost: 2, while: keepWaiting) }
                count { $0.baselineLookups += 1 }
                existing = try await timed(.lookup) { try await EconomicReconciler.existing(for: write, using: client) }
            } else {
                try await timed(.rateWait) { try await limiter.acquire(tenant, while: keepWaiting) }
            }
        } catch let error as EconomicAPIError {
            return OutboundAttempt.from(error).marked(afterSending: false)
        } catch is RateLimitWaitAbandoned {
            return .notSent
        } catch {
            return .failed(OutboundError(code: "cancelled", message: "the attempt was interrupted: \(error)", afterSending: false), retryAfter: nil)
        }

        do {
            _ = try await timed(.start) { try await stream.recordStart(write.requestId, existing: existing, of: tenant, at: snapshot) }
        } catch {
            logger.notice("the create was not sent: its start could not be recorded on the stream as read", metadata: ["error": "\(error)"])
            return .notSent
        }
        count { $0.sent += 1 }
        do {
            let sending = ContinuousClock.now
            defer { metrics.step(.send, since: sending) }
            let created = try await client.createCustomer(customer)
            return .succeeded(customerNumber: created.customerNumber, written: Self.written(created, write.payload))
        } catch {
            return OutboundAttempt.from(error).marked(afterSending: error.requestMayHaveBeenSent)
        }
    }
}
