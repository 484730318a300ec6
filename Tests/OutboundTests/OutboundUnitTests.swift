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
        #expect(EconomicReconciler.identifiers(of: nameOnly).map(\.field) == [.name])
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
            Issue.record("a 429 must be recorded as a failure")
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
