import EventStore
import Foundation
import Logging
import SyncDomain

/// One claimed request: read its stream, renew the claim, attempt it, record the outcome, release the claim.
extension OutboundWorker {
    func process(_ claim: OutboundQueue.Claim) async {
        var claim = claim
        var logger = self.logger
        logger[metadataKey: "tenant"] = "\(claim.tenant)"
        logger[metadataKey: "outbound.request_id"] = "\(claim.requestID)"
        count {
            $0.claimed += 1
            if claim.isTakeover { $0.takeovers += 1 }
        }
        let snapshot: OutboundStream.Snapshot
        do {
            snapshot = try await timed(.read) { try await stream.load(claim.requestID, of: claim.tenant) }
        } catch {
            logger.error("could not read the request's stream", metadata: ["error": "\(error)"])
            await postpone(claim, logger: logger)
            return
        }
        guard let request = snapshot.state.request, isDue(snapshot.state.status) else {
            count { $0.skipped += 1 }
            await release(claim, position: snapshot.lastPosition, notBefore: notBefore(snapshot.state.status), logger: logger)
            return
        }

        let attempt: OutboundAttempt
        do {
            let renewing = ContinuousClock.now
            switch try await timed(.renew, { try await queue.renew(claim, ttl: configuration.claimTTL) }) {
            case .renewed:
                claim.renewedAt = renewing
            case .lost:
                count { $0.lostClaims += 1 }
                logger.notice("the claim was taken over before sending; leaving the request to its new worker")
                return
            case .linkBusy:
                count { $0.waitedForLink += 1 }
                logger.debug("another write of the same link to the same side is in flight; trying again after it")
                await release(claim, position: snapshot.lastPosition, notBefore: nil, logger: logger)
                return
            }
            // The older writes this one carries forward are never sent after it: no worker holds them now (the renewal
            // saw no other claim of the link), and once recorded superseded they are never attempted.
            if !request.supersedes.isEmpty { try await timed(.supersede) { try await supersede(request.supersedes, by: claim, logger: logger) } }
            switch request {
            case .economic(let write):
                attempt = await attemptEconomic(write, claim: claim, snapshot: snapshot, logger: logger)
            case .stripe(let write):
                attempt = await attemptStripe(write, claim: claim, snapshot: snapshot)
            }
        } catch {
            logger.error("could not prepare the attempt", metadata: ["error": "\(error)"])
            await postpone(claim, logger: logger)
            return
        }

        if case .waitingForConnection(let reason) = attempt {
            count { $0.waitingForConnection += 1 }
            logger.notice("waiting for a connection: the request goes out once it exists", metadata: ["reason": "\(reason)"])
            let recheck = Date().addingTimeInterval(TokenBucket.seconds(configuration.credentialCacheTTL))
            await release(claim, position: snapshot.lastPosition, notBefore: recheck, logger: logger)
            return
        }
        if attempt == .notSent {
            logger.info("the request was not sent (shutting down, its stream changed, or its claim was lost); it stays due")
            let position = (try? await stream.load(claim.requestID, of: claim.tenant).lastPosition) ?? snapshot.lastPosition
            await release(claim, position: position, notBefore: nil, logger: logger)
            return
        }
        slowDown(after: attempt, of: request, tenant: claim.tenant)
        do {
            let recorded = try await timed(.record) { try await record(attempt, of: request, for: claim, logger: logger) }
            await release(claim, position: recorded.snapshot.lastPosition, notBefore: notBefore(recorded.snapshot.state.status), logger: logger)
        } catch let error as OutboundDecider.Error {
            // Another writer settled the request meanwhile (e.g. recorded its success): ours is moot.
            logger.info("the outcome was not recorded: \(error)")
            let position = (try? await stream.load(claim.requestID, of: claim.tenant).lastPosition) ?? snapshot.lastPosition
            await release(claim, position: position, notBefore: nil, logger: logger)
        } catch {
            // The attempt happened but is not recorded: keep the claim so that it lapses and the next worker
            // reconciles before sending again.
            logger.error("could not record the outcome; the claim will lapse and the request be reconciled", metadata: ["error": "\(error)"])
        }
    }

    /// The fence before an update (right before its `GET`, after any wait for the rate limit): renews the claim, so a
    /// worker that was cut off from the database or whose claim was taken over while it waited sends nothing — it
    /// would otherwise read and write after its successor had written newer values. Creates are fenced by their start
    /// record. A claim renewed less than ``freshRenewal`` ago (no wait since) passes without a round trip: a renewal
    /// extends it by the claim's TTL, and nobody takes over a claim before it lapses.
    func stillHolds(_ claim: OutboundQueue.Claim) async -> Bool {
        if let renewed = claim.renewedAt, ContinuousClock.now - renewed < min(Self.freshRenewal, configuration.claimTTL / 2) { return true }
        do {
            if try await timed(.renew, { try await queue.renew(claim, ttl: configuration.claimTTL) }) == .renewed { return true }
            logger.notice("the claim was taken over between reading and writing; nothing is sent")
        } catch {
            logger.notice("could not renew the claim before writing; nothing is sent", metadata: ["error": "\(error)"])
        }
        count { $0.lostClaims += 1 }
        return false
    }

    /// How recent a renewal spares the fence its own (see ``stillHolds(_:)``).
    static let freshRenewal = Duration.seconds(1)

    /// Due when pending, or retrying or waiting for a rate limit and its time has come (a quarter second early is
    /// fine: clocks differ).
    func isDue(_ status: OutboundStatus) -> Bool {
        switch status {
        case .pending: return true
        case .retrying(let retryAt): return retryAt.timeIntervalSinceNow <= 0.25
        case .rateLimited(let until): return until.timeIntervalSinceNow <= 0.25
        case .none, .succeeded, .abandoned, .superseded: return false
        }
    }

    /// Records the requests `claim`'s request carries forward as superseded (those already carried out or
    /// superseded stay as they are).
    func supersede(_ older: [RequestID], by claim: OutboundQueue.Claim, logger: Logger) async throws {
        for id in older {
            do {
                let recorded = try await stream.record(.supersede(id, by: claim.requestID), for: id, of: claim.tenant)
                if !recorded.events.isEmpty {
                    count { $0.superseded += 1 }
                    logger.debug("superseded an older request of the same link", metadata: ["outbound.superseded": "\(id)"])
                }
            } catch OutboundDecider.Error.unknownRequest {
                continue  // never recorded: nothing to hold back
            }
        }
    }

    /// When a released claim may be taken again: at the next attempt's time, if one is set.
    func notBefore(_ status: OutboundStatus) -> Date? {
        switch status {
        case .retrying(let retryAt): return retryAt
        case .rateLimited(let until): return until
        case .none, .pending, .succeeded, .abandoned, .superseded: return nil
        }
    }

    /// A 429 is the target asking the tenant to slow down: its limiter toward that target halves the rate and pauses
    /// for the Retry-After, so the tenant's other requests wait too.
    func slowDown(after attempt: OutboundAttempt, of request: OutboundRequest, tenant: TenantID) {
        guard case .failed(let error, let retryAfter) = attempt, error.isRateLimit else { return }
        let pause = retryAfter.map { Duration.milliseconds(Int64(($0 * 1000).rounded())) }
        switch request {
        case .economic: limiter.rateLimited(tenant, retryAfter: pause)
        case .stripe: stripeLimiter.rateLimited(tenant, retryAfter: pause)
        }
        logger.info(
            "rate limited: slowing the tenant down", metadata: ["tenant": "\(tenant)", "retry_after_seconds": "\(retryAfter.map { "\($0)" } ?? "-")"])
    }

    func record(
        _ attempt: OutboundAttempt, of request: OutboundRequest, for claim: OutboundQueue.Claim, logger: Logger
    ) async throws -> OutboundStream.Recorded {
        let id = claim.requestID
        let recorded: OutboundStream.Recorded
        switch attempt {
        case .succeeded(let number, let written, let targetMoved, let answer, let stripeCustomerId):
            if let answer { await observe(answer, tenant: claim.tenant, logger: logger) }
            recorded = try await stream.record(
                .recordSuccess(id, customerNumber: number, stripeCustomerId: stripeCustomerId, written: written, targetMoved: targetMoved), for: id,
                of: claim.tenant)
        case .failed(let error, let retryAfter):
            recorded = try await stream.record(
                .recordFailure(id, error: error, retryAfter: retryAfter, now: Date(), jitter: Double.random(in: 0..<1)), for: id, of: claim.tenant,
                policy: configuration.retryPolicy)
        case .needsPerson(let error):
            var policy = configuration.retryPolicy
            policy.maxAttempts = 0  // abandoned at this attempt
            recorded = try await stream.record(
                .recordFailure(id, error: error, retryAfter: nil, now: Date(), jitter: 0), for: id, of: claim.tenant, policy: policy)
        case .notSent, .waitingForConnection:
            throw RateLimitWaitAbandoned()  // nothing happened, so nothing to record (process() releases the claim instead)
        }
        count { $0.conflicts += recorded.conflicts }
        let (target, creates): (String, Bool) =
            switch request {
            case .economic(let write): ("economic", write.kind == .create)
            case .stripe(let write): ("stripe", write.kind.isCreate)
            }
        for event in recorded.events {
            switch event {
            case .outboundSucceeded(let e):
                metrics.result(creates ? "created" : "updated", target: target)
                count {
                    $0.succeeded += 1
                    $0.fieldsKept += e.targetMoved.count
                }
                logger.debug("succeeded", metadata: ["economic.customer_number": "\(e.customerNumber.map(String.init) ?? "-")"])
                if !e.targetMoved.isEmpty {
                    logger.info(
                        "fields changed on the target since Accord last looked were kept, not overwritten",
                        metadata: ["outbound.fields_kept": "\(e.targetMoved.keys.sorted().joined(separator: ","))"])
                }
            case .outboundFailed(let e):
                metrics.result(OutboundMetrics.failureClass(httpStatus: e.error.httpStatus), target: target)
                count { $0.failed += 1 }
                logger.debug(
                    "failed; will retry", metadata: ["outbound.attempt": "\(e.attempt)", "outbound.retry_at": "\(e.retryAt)", "error": "\(e.error)"])
            case .outboundRateLimited(let e):
                metrics.result("429", target: target)
                count { $0.rateLimited += 1 }
                logger.debug("rate limited; waiting", metadata: ["outbound.waits": "\(e.waits)", "outbound.retry_at": "\(e.retryAt)"])
            case .outboundAbandoned(let e):
                metrics.result("abandoned", target: target)
                count { $0.abandoned += 1 }
                logger.warning("abandoned; a person must look at it", metadata: ["outbound.attempts": "\(e.attempts)", "error": "\(e.error)"])
            default:
                break
            }
        }
        return recorded
    }

    /// Nothing was attempted, but the claim may have been taken over from a worker that died mid-attempt: keep it
    /// in flight (lapsing in 5 s) rather than release it, so that nobody attempts it again at once.
    func postpone(_ claim: OutboundQueue.Claim, logger: Logger) async {
        do {
            try await queue.postpone(claim, by: .seconds(5))
        } catch {
            logger.warning("could not postpone a claim; it will lapse", metadata: ["error": "\(error)"])
        }
    }

    func release(_ claim: OutboundQueue.Claim, position: Int64, notBefore: Date?, logger: Logger) async {
        do {
            try await timed(.release) { try await queue.release(claim, position: position, notBefore: notBefore) }
        } catch {
            logger.warning("could not release a claim; it will lapse", metadata: ["error": "\(error)"])
        }
    }
}
