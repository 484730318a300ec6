import Foundation
import SyncDomain
import Testing

@Suite struct OutboundDeciderTests {
    let id = RequestID(Fixtures.uuid(42))
    var request: OutboundRequest {
        .economic(EconomicWriteRequested(requestId: id, kind: .create, source: Fixtures.stripeJane, payload: ["name": "Jane"], reason: .autoCreate))
    }
    let policy = RetryPolicy.exponentialJitter(base: 2, multiplier: 2, maxDelay: 60, maxAttempts: 4)
    let serverError = OutboundError(httpStatus: 503, message: "Service unavailable")
    let validation = OutboundError(
        httpStatus: 400, code: "E04300", message: "Validation failed.", fieldErrors: ["vatZone": ["VatZone '9' not found."]])

    func requested() throws -> OutboundState {
        OutboundDecider.fold(try OutboundDecider.decide(.request(request), state: .initial))
    }

    func fail(_ state: OutboundState, _ error: OutboundError, retryAfter: Double? = nil, jitter: Double = 0.5) throws -> [SyncEvent] {
        try OutboundDecider.decide(
            .recordFailure(id, error: error, retryAfter: retryAfter, now: Fixtures.date, jitter: jitter), state: state, context: policy)
    }

    @Test func requestOpensTheStreamOnce() throws {
        let events = try OutboundDecider.decide(.request(request), state: .initial)
        #expect(events == [request.event])
        let state = OutboundDecider.fold(events)
        #expect(state.status == .pending)
        #expect(try OutboundDecider.decide(.request(request), state: state) == [])
        let other = OutboundRequest.stripe(
            StripeWriteRequested(requestId: id, customerId: "cus_x", kind: .patch(.unchecked(["name": "X"]) { _ in .text }), reason: .economicChanged)
        )
        #expect(throws: OutboundDecider.Error.conflictingRequest(id)) { try OutboundDecider.decide(.request(other), state: state) }
    }

    @Test func success() throws {
        let state = try requested()
        let events = try OutboundDecider.decide(.recordSuccess(id, customerNumber: 1042, written: ["name": "Jane"]), state: state)
        #expect(events == [.outboundSucceeded(OutboundSucceeded(requestId: id, customerNumber: 1042, written: ["name": "Jane"]))])
        let done = OutboundDecider.evolve(state, events[0])
        #expect(done.status == .succeeded)
        #expect(try OutboundDecider.decide(.recordSuccess(id, customerNumber: 1042, written: [:]), state: done) == [])
        #expect(throws: OutboundDecider.Error.alreadySucceeded(id)) { try fail(done, serverError) }
    }

    @Test func retryableFailureIsRetriedWithBackoff() throws {
        var state = try requested()
        var retryTimes: [Date] = []
        for attempt in 1...3 {
            let events = try fail(state, serverError, jitter: 0)
            guard case .outboundFailed(let failed) = try #require(events.first) else {
                Issue.record("expected OutboundFailed, got \(events)")
                return
            }
            #expect(failed.attempt == attempt)
            retryTimes.append(failed.retryAt)
            state = OutboundDecider.evolve(state, events[0])
        }
        // Equal jitter at 0 gives half the exponential backoff: 1 s, 2 s, 4 s.
        #expect(retryTimes.map { $0.timeIntervalSince(Fixtures.date) } == [1, 2, 4])
        // The fourth failure reaches the limit.
        let last = try fail(state, serverError)
        #expect(last == [.outboundAbandoned(OutboundAbandoned(requestId: id, attempts: 4, error: serverError))])
    }

    @Test func permanentFailureIsAbandonedAtOnce() throws {
        let events = try fail(try requested(), validation)
        #expect(events == [.outboundAbandoned(OutboundAbandoned(requestId: id, attempts: 1, error: validation))])
        #expect(validation.description.contains("VatZone '9' not found."))
    }

    @Test func retryAfterIsHonoured() throws {
        let events = try fail(try requested(), OutboundError(httpStatus: 429, message: "Too many requests"), retryAfter: 30, jitter: 0.99)
        guard case .outboundRateLimited(let failed) = try #require(events.first) else {
            Issue.record("expected OutboundRateLimited: a 429 is a wait, not a failure")
            return
        }
        #expect(failed.retryAt == Fixtures.date.addingTimeInterval(30))
    }

    @Test("a 429 is back-pressure: it never uses an attempt and never abandons, however many come")
    func rateLimitIsNotAFailure() throws {
        let tooMany = OutboundError(httpStatus: 429, code: "rateLimited", message: "Too many requests")
        var state = OutboundDecider.evolve(try requested(), try fail(try requested(), serverError)[0])
        #expect(state.failedAttempts == 1)
        for wait in 1...(policy.maxAttempts * 5) {
            let events = try fail(state, tooMany, retryAfter: 7, jitter: 0.3)
            #expect(
                events == [
                    .outboundRateLimited(
                        OutboundRateLimited(
                            requestId: id, waits: wait, failedAttempts: 1, error: tooMany, retryAt: Fixtures.date.addingTimeInterval(7)))
                ])
            state = OutboundDecider.fold(events, from: state)
            #expect(state.status == .rateLimited(until: Fixtures.date.addingTimeInterval(7)))
            #expect(state.failedAttempts == 1 && state.rateLimitedWaits == wait)
        }
        // A real failure afterwards is attempt 2: the waits took none.
        guard case .outboundFailed(let failed) = try fail(state, serverError).first else {
            Issue.record("expected OutboundFailed")
            return
        }
        #expect(failed.attempt == 2)
        #expect(try OutboundDecider.decide(.recordSuccess(id, customerNumber: 5, written: [:]), state: state).count == 1, "a wait can end in success")
    }

    @Test("without a Retry-After a rate-limited request backs off, but never longer than a minute")
    func rateLimitBackoffWithoutRetryAfter() {
        let longPolicy = RetryPolicy.exponentialJitter(base: 2, multiplier: 2, maxDelay: 3_600, maxAttempts: 8)
        let waits = [1, 2, 3, 6, 40, 1_000].map {
            longPolicy.rateLimitedRetryAt(wait: $0, now: Fixtures.date, retryAfter: nil, jitter: 1).timeIntervalSince(Fixtures.date)
        }
        #expect(waits == [2, 4, 8, 60, 60, 60])
        #expect(longPolicy.rateLimitedRetryAt(wait: 1, now: Fixtures.date, retryAfter: 300, jitter: 0).timeIntervalSince(Fixtures.date) == 300)
        #expect(longPolicy.rateLimitedRetryAt(wait: 1, now: Fixtures.date, retryAfter: 0, jitter: 0).timeIntervalSince(Fixtures.date) == 1)
    }

    @Test("only an open e-conomic create is started")
    func startCreate() throws {
        let state = try requested()
        let events = try OutboundDecider.decide(.startCreate(id, existing: [7]), state: state)
        #expect(events == [.economicCreateStarted(EconomicCreateStarted(requestId: id, existing: [7]))])
        #expect(OutboundDecider.fold(events, from: state) == state, "a start changes no status")
        let done = OutboundDecider.evolve(state, try OutboundDecider.decide(.recordSuccess(id, customerNumber: 1, written: [:]), state: state)[0])
        #expect(throws: OutboundDecider.Error.alreadySucceeded(id)) { try OutboundDecider.decide(.startCreate(id, existing: nil), state: done) }
        let abandoned = OutboundDecider.evolve(state, try fail(state, validation)[0])
        #expect(throws: OutboundDecider.Error.alreadyAbandoned(id)) { try OutboundDecider.decide(.startCreate(id, existing: nil), state: abandoned) }
        let update = OutboundDecider.fold(
            try OutboundDecider.decide(
                .request(.economic(EconomicWriteRequested(requestId: id, kind: .update(customerNumber: 1), payload: [:], reason: .sourceChanged))),
                state: .initial))
        #expect(throws: OutboundDecider.Error.notACreate(id)) { try OutboundDecider.decide(.startCreate(id, existing: nil), state: update) }
    }

    @Test func userRetryOfAnAbandonedRequest() throws {
        let state = try requested()
        #expect(throws: OutboundDecider.Error.notAbandoned(id, status: .pending)) { try OutboundDecider.decide(.retry(id), state: state) }
        let abandoned = OutboundDecider.evolve(state, try fail(state, validation)[0])
        #expect(abandoned.status == .abandoned)
        #expect(throws: OutboundDecider.Error.alreadyAbandoned(id)) { try fail(abandoned, serverError) }
        let retried = try OutboundDecider.decide(.retry(id), state: abandoned)
        #expect(retried == [.outboundRetryRequested(OutboundRetryRequested(requestId: id))])
        let fresh = OutboundDecider.evolve(abandoned, retried[0])
        #expect(fresh.status == .pending && fresh.failedAttempts == 0)
        // A new round of attempts starts at 1.
        guard case .outboundFailed(let failed) = try fail(fresh, serverError).first else {
            Issue.record("expected OutboundFailed")
            return
        }
        #expect(failed.attempt == 1)
    }

    @Test func successAfterAbandonmentIsRecorded() throws {
        let state = try requested()
        let abandoned = OutboundDecider.evolve(state, try fail(state, validation)[0])
        #expect(try OutboundDecider.decide(.recordSuccess(id, customerNumber: 7, written: [:]), state: abandoned).count == 1)
    }

    @Test func commandsForAnotherOrMissingRequestAreRefused() {
        #expect(throws: OutboundDecider.Error.unknownRequest(id)) {
            try OutboundDecider.decide(.recordSuccess(id, customerNumber: nil, written: [:]), state: .initial)
        }
        #expect(throws: OutboundDecider.Error.unknownRequest(id)) { try OutboundDecider.decide(.retry(id), state: .initial) }
    }

    @Test func supersededRequestIsNeverAttemptedAgain() throws {
        let newer = RequestID(Fixtures.uuid(43))
        let failed = OutboundDecider.fold(try OutboundDecider.decide(.request(request), state: .initial) + (try fail(try requested(), serverError)))
        let events = try OutboundDecider.decide(.supersede(id, by: newer), state: failed)
        #expect(events == [.outboundSuperseded(OutboundSuperseded(requestId: id, by: newer))])
        let superseded = events.reduce(failed, OutboundDecider.evolve)
        #expect(superseded.status == .superseded(by: newer) && superseded.lastError == nil)
        #expect(throws: OutboundDecider.Error.superseded(id, by: newer)) { try fail(superseded, serverError) }
        #expect(try OutboundDecider.decide(.supersede(id, by: newer), state: superseded) == [], "once is enough")
        // A success found for it later is the truth, and recorded.
        #expect(try OutboundDecider.decide(.recordSuccess(id, customerNumber: 7, written: [:]), state: superseded).count == 1)
        // A request already carried out is not superseded: its value is among the newer one's bases.
        let done = OutboundDecider.evolve(try requested(), .outboundSucceeded(OutboundSucceeded(requestId: id, customerNumber: 7)))
        #expect(try OutboundDecider.decide(.supersede(id, by: newer), state: done) == [])
    }

    @Test func retryPolicyDelays() {
        let policy = RetryPolicy.exponentialJitter(base: 2, multiplier: 2, maxDelay: 60, maxAttempts: 8)
        #expect(policy.delay(afterAttempt: 1, jitter: 0) == 1)
        #expect(policy.delay(afterAttempt: 1, jitter: 1) == 2)
        #expect(policy.delay(afterAttempt: 3, jitter: 0.5) == 6)
        #expect(policy.delay(afterAttempt: 20, jitter: 1) == 60)
        #expect(policy.delay(afterAttempt: 2, retryAfter: 100, jitter: 0) == 100)
        #expect(policy.delay(afterAttempt: 2, retryAfter: 1, jitter: 0) == 2)
        var generator = SplitMix(seed: 7)
        for attempt in 1...10 {
            let delay = policy.delay(afterAttempt: attempt, using: &generator)
            let backoff = min(60, 2 * pow(2, Double(attempt - 1)))
            #expect(delay >= backoff / 2 && delay <= backoff)
        }
        #expect(OutboundError(httpStatus: nil, message: "timeout").isRetryable)
        #expect(OutboundError(httpStatus: 502, message: "").isRetryable)
        #expect(!OutboundError(httpStatus: 404, message: "").isRetryable)
    }
}

/// A small deterministic generator for tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
