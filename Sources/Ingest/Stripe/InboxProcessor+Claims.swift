import Connectors
import EventStore
import Foundation
import Logging
import SyncDomain
import SyncEngine

/// One claim's deliveries: re-fetched from Stripe customer by customer, recorded tenant by tenant in one decision
/// each, settled together.
extension InboxProcessor {
    /// What re-fetching a delivery's customer found.
    enum Found {
        /// Not an event Accord handles.
        case ignored
        /// A customer event that names no customer.
        case noCustomer
        /// What Stripe has now.
        case lookup(StripeCustomerLookup)
        /// Stripe could not be asked.
        case failed(any Error)
    }

    /// Processes one claim's deliveries: re-fetches each one's customer from Stripe (up to
    /// ``Configuration/concurrentCustomers`` customers at once, each customer's deliveries one after the other in the
    /// claim's order, its event order); records what each tenant's deliveries found as one decision
    /// (``SyncEngine/CommandHandler/customerCommands(_:tenant:)``: one read, one append, in event order); records
    /// failed attempts one by one; and settles the processed and ignored in one statement. A delivery recorded but not
    /// settled — the process died, the pass failed — is processed again once its lease ends, which records nothing
    /// new: an observation identical to what is recorded appends nothing, an older one overwrites nothing.
    /// - Returns: the outcomes in the claim's order.
    func process(_ claims: [WebhookInbox.Claim]) async throws -> [Outcome] {
        let found = try await refetch(claims)
        var outcomes = [Outcome?](repeating: nil, count: claims.count)
        do {
            for indices in claims.groupedPositions(by: \.tenant) {
                try await record(indices, of: claims, found: found, tenant: claims[indices[0]].tenant, into: &outcomes)
            }
        } catch {
            try? await settle(claims, outcomes)
            throw error
        }
        try await settle(claims, outcomes)
        for outcome in outcomes { if let outcome { metrics.processed(outcome.rawValue) } }
        return outcomes.compactMap { $0 }
    }

    /// Re-fetches every customer event's customer: customers in parallel lanes, a customer's deliveries in order.
    private func refetch(_ claims: [WebhookInbox.Claim]) async throws -> [Found] {
        let lanes = claims.groupedPositions { "\($0.tenant)/\($0.objectID ?? "event:\($0.eventID)")" }
        var found = [Found](repeating: .ignored, count: claims.count)
        try await withThrowingTaskGroup(of: [(Int, Found)].self) { group in
            var next = lanes.makeIterator()
            func start() {
                guard let lane = next.next() else { return }
                group.addTask {
                    var done: [(Int, Found)] = []
                    for index in lane { done.append((index, try await refetch(claims[index]))) }
                    return done
                }
            }
            for _ in 0..<configuration.concurrentCustomers { start() }
            while let done = try await group.next() {
                for (index, result) in done { found[index] = result }
                start()
            }
        }
        return found
    }

    private func refetch(_ claim: WebhookInbox.Claim) async throws -> Found {
        guard Self.customerEventTypes.contains(claim.eventType) else { return .ignored }
        guard let customerID = claim.objectID, !customerID.isEmpty else { return .noCustomer }
        do {
            return .lookup(try await stripeCustomers.customer(id: customerID, tenant: claim.tenant))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return .failed(error)
        }
    }

    /// Records what one tenant's deliveries found, in one decision (delivery by delivery when that decision fails as
    /// a whole).
    private func record(
        _ indices: [Int], of claims: [WebhookInbox.Claim], found: [Found], tenant: TenantID, into outcomes: inout [Outcome?]
    ) async throws {
        var observing: [Int] = []
        for index in indices {
            let claim = claims[index]
            switch found[index] {
            case .ignored:
                outcomes[index] = .ignored
            case .noCustomer:
                try await inbox.fail(claim, error: "the \(claim.eventType) event carries no customer", retryAt: nil)
                outcomes[index] = .failed
            case .failed(let error):
                outcomes[index] = try await failAttempt(claim, error)
            case .lookup:
                observing.append(index)
            }
        }
        guard !observing.isEmpty else { return }
        let items: [CustomerCommandItem]
        do {
            let created = try await inbox.createdCustomers(of: observing.map { claims[$0] }, tenant: tenant)
            items = observing.map { index in command(for: claims[index], found: found[index], created: created) }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            for index in observing { outcomes[index] = try await failAttempt(claims[index], error) }
            return
        }
        let results: [Result<[SyncEvent], CommandError>]
        do {
            results = try await commands.customerCommands(items, tenant: tenant)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // What fails the decision as a whole (one customer's unreadable event, lost races, the database) is tried
            // again delivery by delivery, so that it stays with the deliveries it belongs to.
            for (index, item) in zip(observing, items) {
                do {
                    outcomes[index] = try await outcome(of: try await commands.customerCommands([item], tenant: tenant)[0], claims[index])
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    outcomes[index] = try await failAttempt(claims[index], error)
                }
            }
            return
        }
        for (index, result) in zip(observing, results) { outcomes[index] = try await outcome(of: result, claims[index]) }
    }

    /// A recorded delivery is processed; a refused one's attempt failed.
    private func outcome(of result: Result<[SyncEvent], CommandError>, _ claim: WebhookInbox.Claim) async throws -> Outcome {
        switch result {
        case .success: .processed
        case .failure(let error): try await failAttempt(claim, error)
        }
    }

    /// What a delivery records: the customer as Stripe has it now, with the event's id and time (so an older event
    /// never overwrites what a newer one recorded) — after its creation when it was never observed (see the type's
    /// documentation) — or its deletion.
    private func command(for claim: WebhookInbox.Claim, found: Found, created: [String: StripeCustomer]) -> CustomerCommandItem {
        let customerID = claim.objectID ?? ""
        let ref = CustomerRef.stripe(customerID)
        let metadata = CommandMetadata(actor: "stripe:webhook", sourceEventID: claim.eventID)
        guard case .lookup(.customer(let customer)) = found else {
            return CustomerCommandItem(
                .delete(CustomerDeleted(customer: ref, sourceEventId: claim.eventID, sourceUpdatedAt: claim.eventCreated)), customer: ref,
                metadata: metadata)
        }
        let now = CustomerObserved(customer: ref, fields: customer.sourceFields, sourceEventId: claim.eventID, sourceUpdatedAt: claim.eventCreated)
        guard let creation = created[customerID] else { return CustomerCommandItem(.observe(now), customer: ref, metadata: metadata) }
        return CustomerCommandItem(.observeCreated(created: creation.sourceFields, current: now), customer: ref, metadata: metadata)
    }

    /// Records a failed attempt: tried again after the retry policy's backoff (a Retry-After from Stripe is a lower
    /// bound), or `failed` for good after the last attempt or a refusal that cannot change.
    private func failAttempt(_ claim: WebhookInbox.Claim, _ error: any Error) async throws -> Outcome {
        let permanent = (error as? CommandError).map { $0.code != .contention && $0.code != .unreadableEvent } ?? false
        let policy = configuration.retryPolicy
        let retryAfter = (error as? StripeAPIError)?.retryAfter.map { Double($0.components.seconds) }
        let retryAt =
            permanent || claim.attempts >= policy.maxAttempts
            ? nil : policy.retryAt(afterAttempt: claim.attempts, now: Date(), retryAfter: retryAfter, jitter: Double.random(in: 0..<1))
        logger.warning(
            "webhook delivery failed",
            metadata: [
                "accord.tenant": "\(claim.tenant)", "stripe.event": "\(claim.eventID)", "error": "\(error)",
                "retry_at": "\(retryAt.map { "\($0)" } ?? "never")",
            ])
        try await inbox.fail(claim, error: "\(error)", retryAt: retryAt)
        return retryAt == nil ? .failed : .retry
    }

    /// Settles the claims processed or ignored, in one statement (failed attempts were recorded as they happened).
    private func settle(_ claims: [WebhookInbox.Claim], _ outcomes: [Outcome?]) async throws {
        try await inbox.settle(
            zip(claims, outcomes).compactMap { claim, outcome in
                guard let outcome, outcome == .processed || outcome == .ignored else { return nil }
                return (claim, outcome.rawValue)
            })
    }
}
