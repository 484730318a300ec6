import Connectors
import Ingest
import Logging
import SyncDomain
import Synchronization
import Testing

@Suite("reads from Stripe and e-conomic are retried: 429s waited out, failures that pass retried, the rest thrown")
struct ReadRetryTests {
    static let logger = Logger(label: "accord.tests.retry", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Fails with the given errors in turn, then answers `done`.
    final class Script: Sendable {
        private let state: Mutex<(errors: [any Error], calls: Int)>

        init(_ errors: [any Error]) { state = Mutex((errors, 0)) }

        var calls: Int { state.withLock { $0.calls } }

        func call() throws -> String {
            try state.withLock { state in
                state.calls += 1
                guard !state.errors.isEmpty else { return "done" }
                throw state.errors.removeFirst()
            }
        }
    }

    static func economic(_ code: EconomicAPIError.Code) -> EconomicAPIError {
        EconomicAPIError(code: code, operation: "list customers", message: "test")
    }

    @Test("an e-conomic 429 waits its Retry-After and uses no attempt: ten in a row, then the answer")
    func economicRateLimit() async throws {
        let waits = RecordedWaits()
        let script = Script(Array(repeating: Self.economic(.rateLimited(retryAfter: 3)), count: 10))
        let answer = try await waits.retry(policy: .exponentialJitter(maxAttempts: 2)).run("read", logger: Self.logger) { try script.call() }
        #expect(answer == "done")
        #expect(script.calls == 11)
        #expect(waits.all == Array(repeating: .seconds(3), count: 10), "exactly the Retry-After, each time")
    }

    @Test("a Stripe 429 waits its Retry-After; without one, the policy's backoff")
    func stripeRateLimit() async throws {
        let waits = RecordedWaits()
        let script = Script([
            StripeAPIError(kind: .api, status: 429, message: "slow down", retryAfter: .seconds(5)),
            StripeAPIError(kind: .api, status: 429, message: "slow down"),
        ])
        let policy = RetryPolicy.exponentialJitter(base: 2, multiplier: 2, maxDelay: 60, maxAttempts: 2)
        #expect(try await waits.retry(policy: policy).run("read", logger: Self.logger) { try script.call() } == "done")
        #expect(waits.all.count == 2)
        #expect(waits.all.first == .seconds(5))
        let backoff = try #require(waits.all.last)
        #expect(
            backoff >= .seconds(2) && backoff <= .seconds(4),
            "the second 429 in a row: the policy's second backoff, half to all of 4 s (got \(backoff))")
    }

    @Test("5xx, timeouts and dropped connections use attempts; after the last one the error is thrown")
    func transientFailures() async throws {
        let waits = RecordedWaits()
        let script = Script([Self.economic(.serverError), Self.economic(.timeout), StripeAPIError(kind: .transport, message: "reset")])
        let answer = try await waits.retry(policy: .exponentialJitter(maxAttempts: 4)).run("read", logger: Self.logger) { try script.call() }
        #expect(answer == "done")
        #expect(waits.all.count == 3)

        let failing = Script(Array(repeating: Self.economic(.serverError), count: 10))
        let error = await #expect(throws: EconomicAPIError.self) {
            try await waits.retry(policy: .exponentialJitter(maxAttempts: 3)).run("read", logger: Self.logger) { try failing.call() }
        }
        #expect(error?.code == .serverError)
        #expect(failing.calls == 3, "three attempts in all")
    }

    @Test("a refusal that waiting cannot change is thrown at once; an endless run of 429s gives up at the limit")
    func permanentAndEndless() async throws {
        let waits = RecordedWaits()
        let refused = Script([Self.economic(.unauthorized)])
        await #expect(throws: EconomicAPIError.self) { try await waits.retry().run("read", logger: Self.logger) { try refused.call() } }
        #expect(refused.calls == 1)
        #expect(waits.all.isEmpty)

        let endless = Script(Array(repeating: StripeAPIError(kind: .api, status: 429, message: "slow down", retryAfter: .seconds(1)), count: 50))
        await #expect(throws: StripeAPIError.self) {
            try await waits.retry(maxRateLimitWaits: 5).run("read", logger: Self.logger) { try endless.call() }
        }
        #expect(endless.calls == 6, "five waits, then the sixth 429 is thrown")
    }
}
