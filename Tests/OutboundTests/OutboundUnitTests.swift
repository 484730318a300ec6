import Connectors
import EventStore
import Foundation
import SyncDomain
import Testing

@testable import Outbound

@Suite("outbound pieces without IO")
struct OutboundUnitTests {
    @Test("the token bucket allows a burst, then paces at the rate, per tenant")
    func tokenBucket() throws {
        let limiter = TenantRateLimiter(limit: RateLimit(requestsPerSecond: 2, burst: 3))
        let acme = try TenantID("acme")
        let globex = try TenantID("globex")
        let start = ContinuousClock.now
        for _ in 0..<3 { #expect(limiter.reserve(acme, cost: 1, now: start) == .zero) }
        #expect(limiter.reserve(acme, cost: 1, now: start) == .milliseconds(500))
        #expect(limiter.reserve(acme, cost: 1, now: start) == .seconds(1), "callers queue behind each other")
        #expect(limiter.reserve(globex, cost: 1, now: start) == .zero, "another tenant has its own bucket")
        // After 2 s, 4 tokens have come back: the debt of 2 is paid and 2 are left (never more than the burst).
        let later = start.advanced(by: .seconds(2))
        #expect(limiter.reserve(acme, cost: 2, now: later) == .zero)
        #expect(limiter.reserve(acme, cost: 1, now: later) == .milliseconds(500))
        // acme now owes half a token: its next call waits 1 s, more than the horizon, so its requests are not claimed.
        let saturated = limiter.saturated(now: later, horizon: .milliseconds(500))
        #expect(saturated.tenants == [acme])
        #expect(saturated.freeIn == .milliseconds(500))
        #expect(limiter.saturated(now: later.advanced(by: .seconds(1)), horizon: .milliseconds(500)).tenants.isEmpty)
    }

    @Test("a lost create is looked up by the most selective match key it sent, and matches only what it sent")
    func reconcilerIdentifiers() {
        let request = EconomicWriteRequested(
            requestId: RequestID(UUID()), kind: .create,
            payload: [
                "name": "Nordisk Design ApS", "email": "billing@nordisk.example", "corporateIdentificationNumber": "DK 29 40 34 73",
                "currency": "DKK",
            ],
            matchKeys: [
                MatchKey(kind: .email, raw: "Billing@Nordisk.example")!, MatchKey(kind: .taxID, raw: "dk29403473")!,
                MatchKey(kind: .phone, raw: "+45 1234")!,
            ],
            reason: .autoCreate)
        let identifiers = EconomicReconciler.identifiers(of: request)
        #expect(identifiers.map(\.field) == [.corporateIdentificationNumber, .email], "the phone was not sent, so it cannot identify")
        #expect(identifiers.first?.value == "DK 29 40 34 73", "looked up with the value as sent")
        var fields = request.payload
        fields["customerNumber"] = "42"
        fields["website"] = "https://x.example"
        #expect(EconomicReconciler.matches(fields, request))
        fields["email"] = "BILLING@nordisk.example"
        #expect(EconomicReconciler.matches(fields, request), "normalised like match keys")
        fields["name"] = "Nordisk Design A/S"
        #expect(!EconomicReconciler.matches(fields, request), "another name is another customer")
        fields["name"] = request.payload["name"]
        fields["corporateIdentificationNumber"] = "29403474"
        #expect(!EconomicReconciler.matches(fields, request))

        let nameOnly = EconomicWriteRequested(requestId: RequestID(UUID()), kind: .create, payload: ["name": "Solo"], reason: .createPartner)
        #expect(EconomicReconciler.identifiers(of: nameOnly).map(\.field) == [], "a name alone is never looked up: it could find anyone")
    }

    @Test("the adaptive bucket halves on a 429, pauses for its Retry-After, and climbs back to the configured rate")
    func adaptiveBucket() {
        let t0 = ContinuousClock.now
        var bucket = TokenBucket(limit: RateLimit(requestsPerSecond: 10, burst: 10), now: t0)
        #expect(bucket.rate(at: t0) == 10 && bucket.burst(at: t0) == 10)
        bucket.rateLimited(at: t0, retryAfter: .seconds(2))
        #expect(bucket.rate(at: t0) == 5, "multiplicative decrease")
        #expect(bucket.burst(at: t0) == 5, "the burst shrinks with the rate")
        // The Retry-After, then one token at the rate recovered by then (5 + 10 × 2/60 per second).
        let wait = bucket.reserve(1, at: t0)
        #expect(wait > .seconds(2) && wait < .milliseconds(2190), "\(wait)")
        // 429s of the same overload (requests already on their way) halve once.
        bucket.rateLimited(at: t0.advanced(by: .milliseconds(600)), retryAfter: nil)
        #expect(abs(bucket.rate(at: t0.advanced(by: .milliseconds(600))) - 5.1) < 1e-9)
        // Linear recovery: the configured 10/s over a minute from nothing, so from 5/s it takes 30 s.
        #expect(bucket.rate(at: t0.advanced(by: .seconds(15))) == 7.5)
        #expect(bucket.rate(at: t0.advanced(by: .seconds(30))) == 10)
        #expect(bucket.rate(at: t0.advanced(by: .seconds(600))) == 10, "never above the configured rate")
        // Another overload later halves what the rate has recovered to; never below the floor (1/32).
        let later = t0.advanced(by: .seconds(15))
        bucket.rateLimited(at: later, retryAfter: nil)
        #expect(bucket.rate(at: later) == 3.75)
        for step in 1...20 { bucket.rateLimited(at: later.advanced(by: .seconds(step)), retryAfter: nil) }
        #expect(bucket.rate(at: later.advanced(by: .seconds(20))) == 10.0 / 32)
        #expect(bucket.burst(at: later.advanced(by: .seconds(20))) == 1)
    }

    @Test("a 429 slows down and pauses only its own tenant, whose requests are then left unclaimed")
    func limiterPerTenant() throws {
        let limiter = TenantRateLimiter(limit: RateLimit(requestsPerSecond: 100, burst: 100))
        let acme = try TenantID("acme")
        let globex = try TenantID("globex")
        let start = ContinuousClock.now
        #expect(limiter.reserve(acme, cost: 1, now: start) == .zero && limiter.reserve(globex, cost: 1, now: start) == .zero)
        limiter.rateLimited(acme, retryAfter: .seconds(3), now: start)
        #expect(limiter.rate(acme, now: start) == 50 && limiter.rate(globex, now: start) == 100)
        let saturated = limiter.saturated(now: start, horizon: .milliseconds(500))
        #expect(saturated.tenants == [acme])
        #expect(try #require(saturated.freeIn) > .milliseconds(2500))
        #expect(limiter.reserve(acme, cost: 1, now: start) > .seconds(3), "the next call waits out the Retry-After")
        #expect(limiter.reserve(globex, cost: 1, now: start) == .zero, "the other tenant goes on at full speed")
    }

    @Test("reconciliation adopts only what the request may have made: never a customer that existed before its first send")
    func reconcilerJudges() throws {
        let request = createRequest(email: "judge@accord.test", name: "Judge ApS")
        func customer(_ number: Int, name: String = "Judge ApS", email: String = "judge@accord.test") throws -> EconomicCustomer {
            var fields = request.payload
            fields["name"] = name
            fields["email"] = email
            fields["customerNumber"] = String(number)
            return try EconomicCustomer(fieldMap: fields)
        }
        let stranger = try customer(11)
        let ours = try customer(12)
        let other = try customer(13, name: "Someone Else")
        #expect(EconomicReconciler.judge([stranger, ours, other], request, existingBefore: [11], chosen: nil) == .one(ours))
        #expect(EconomicReconciler.judge([stranger], request, existingBefore: [11], chosen: nil) == .none, "the stranger is not adopted")
        #expect(
            EconomicReconciler.judge([stranger, other], request, existingBefore: [11], chosen: nil) == .one(other),
            "a customer that appeared after the first send under the e-mail sent is the request's own, renamed since: sending again would duplicate it"
        )
        #expect(
            EconomicReconciler.judge([stranger, other, try customer(14, name: "Third")], request, existingBefore: [11], chosen: nil)
                == .several([13, 14]))
        #expect(EconomicReconciler.judge([stranger, ours, try customer(14)], request, existingBefore: [11], chosen: nil) == .several([12, 14]))
        guard case .cannotTell(let reason) = EconomicReconciler.judge([stranger], request, existingBefore: nil, chosen: nil) else {
            Issue.record("without a record of what existed, a match cannot be told from a stranger")
            return
        }
        #expect(reason.contains("11"))
        #expect(EconomicReconciler.judge([other], request, existingBefore: nil, chosen: nil) == .none)

        // A chosen number is unique: its customer decides.
        var chosen = request
        chosen.payload["customerNumber"] = "12"
        #expect(EconomicReconciler.chosenNumber(of: chosen) == 12)
        #expect(EconomicReconciler.judge([ours], chosen, existingBefore: [], chosen: 12) == .one(ours))
        #expect(EconomicReconciler.judge([], chosen, existingBefore: [], chosen: 12) == .none)
        #expect(EconomicReconciler.judge([ours], chosen, existingBefore: [12], chosen: 12) == .none, "taken before the first send: not ours")
        let renamed = try customer(12, name: "Renamed")
        guard case .cannotTell = EconomicReconciler.judge([renamed], chosen, existingBefore: [], chosen: 12) else {
            Issue.record("a new customer under the chosen number that differs from what was sent needs a person")
            return
        }
    }

    @Test("a create is looked up only when a send may have taken effect; with nothing to look up by, a person is asked")
    func reconcilerPlans() {
        let keyed = createRequest(email: "plan@accord.test", name: "Plan ApS")
        let nameOnly = EconomicWriteRequested(requestId: RequestID(UUID()), kind: .create, payload: ["name": "Solo"], reason: .createPartner)
        func progress(_ events: [SyncEvent]) -> EconomicCreateProgress { events.reduce(.initial) { $0.evolve($1) } }
        let id = nameOnly.requestId
        let dropped = SyncEvent.outboundFailed(
            OutboundFailed(requestId: id, attempt: 1, error: OutboundError(code: "transport", message: "", afterSending: true), retryAt: Date()))
        let sent = progress([.economicCreateStarted(EconomicCreateStarted(requestId: id, existing: [])), dropped])
        #expect(EconomicReconciler.plan(keyed, progress: .initial) == .send)
        #expect(EconomicReconciler.plan(nameOnly, progress: .initial) == .send)
        #expect(EconomicReconciler.plan(keyed, progress: sent) == .reconcile)
        guard case .askPerson(let error) = EconomicReconciler.plan(nameOnly, progress: sent) else {
            Issue.record("a name-only create whose outcome is unknown waits for a person")
            return
        }
        #expect(error.isCannotReconcile && error.message.contains("'Solo'"))
        let looked = progress([
            .economicCreateStarted(EconomicCreateStarted(requestId: id, existing: [])), dropped,
            .outboundAbandoned(OutboundAbandoned(requestId: id, attempts: 2, error: error)),
            .outboundRetryRequested(OutboundRetryRequested(requestId: id)),
        ])
        #expect(EconomicReconciler.plan(nameOnly, progress: looked) == .send, "a person looked and retried: it is sent")
        var numbered = nameOnly
        numbered.payload["customerNumber"] = "5001"
        #expect(EconomicReconciler.plan(numbered, progress: sent) == .reconcile, "a chosen number identifies it")
    }

    @Test("e-conomic errors become queue errors: its own text for answers, retryable without a status when the outcome is unknown")
    func errorMapping() {
        let validation = EconomicAPIError.fromResponse(
            status: 400,
            body: Data(
                #"{"message":"Validation failed. 1 error(s) found.","errorCode":"E04300","logId":"abc-CPH","errors":{"paymentTerms":{"errors":[{"propertyName":"paymentTerms","errorMessage":"PaymentTerms '4711' not found.","errorCode":"E07080"}]}}}"#
                    .utf8), operation: "create customer", isWrite: true)
        guard case .failed(let error, nil) = OutboundAttempt.from(validation) else {
            Issue.record("a validation error must be recorded as a failure")
            return
        }
        #expect(
            error
                == OutboundError(
                    httpStatus: 400, code: "E04300", message: "Validation failed. 1 error(s) found.",
                    fieldErrors: ["paymentTerms": ["PaymentTerms '4711' not found."]], logId: "abc-CPH"))
        #expect(!error.isRetryable)

        let limited = EconomicAPIError.fromResponse(status: 429, body: Data("{}".utf8), retryAfter: "3", operation: "create customer", isWrite: true)
        guard case .failed(let rateError, let retryAfter) = OutboundAttempt.from(limited) else {
            Issue.record("a 429 must reach the decider, which records it as a wait for the rate limit")
            return
        }
        #expect(rateError.httpStatus == 429 && rateError.isRetryable && retryAfter == 3)

        let dropped = EconomicAPIError(code: .transport, operation: "create customer", message: "closed", isWrite: true)
        guard case .failed(let droppedError, nil) = OutboundAttempt.from(dropped) else {
            Issue.record("a dropped answer must be recorded as a failure")
            return
        }
        #expect(droppedError.httpStatus == nil && droppedError.isRetryable)
        #expect(droppedError.message.contains("may or may not have been made"))
    }

    @Test("a Stripe 429 is a wait as well: its Retry-After reaches the decider, which uses no attempt")
    func stripeRateLimit() throws {
        let limited = StripeAPIError(
            kind: .api, status: 429, type: "invalid_request_error", code: "rate_limit", message: "Too many requests", retryAfter: .seconds(2))
        guard case .failed(let error, let retryAfter) = OutboundAttempt.from(limited) else {
            Issue.record("a Stripe 429 must reach the decider")
            return
        }
        #expect(error.isRateLimit && retryAfter == 2)
        let id = RequestID(UUID())
        let write = StripeWriteRequested(
            requestId: id, customerId: "cus_wait", kind: .metadata(["economic_number": "7"]), reason: .customerNumberWriteBack)
        let state = OutboundDecider.fold(try OutboundDecider.decide(.request(.stripe(write)), state: .initial))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let events = try OutboundDecider.decide(.recordFailure(id, error: error, retryAfter: retryAfter, now: now, jitter: 0.5), state: state)
        #expect(events == [.outboundRateLimited(OutboundRateLimited(requestId: id, waits: 1, error: error, retryAt: now.addingTimeInterval(2)))])
    }

    @Test("a wait for the rate limit ends when the worker stops waiting, and gives its tokens back")
    func abandonedWait() async throws {
        let limiter = TenantRateLimiter(limit: RateLimit(requestsPerSecond: 1.0 / 600, burst: 1))
        let tenant = try TenantID("acme")
        try await limiter.acquire(tenant)  // the burst
        let started = ContinuousClock.now
        await #expect(throws: RateLimitWaitAbandoned.self) { try await limiter.acquire(tenant, while: { false }) }
        #expect(ContinuousClock.now - started < .seconds(60), "it gave up at once instead of waiting ten minutes")
        // Refunded: the next token is still about 600 s away, not 1,200 s.
        let freeIn = try #require(limiter.saturated(now: .now, horizon: .zero).freeIn)
        #expect(freeIn <= .seconds(600))
    }
}
