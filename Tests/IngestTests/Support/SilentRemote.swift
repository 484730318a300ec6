import Connectors
import Foundation
import Hummingbird
import Logging
import Synchronization

/// A remote side (e-conomic's customers, Stripe's events list) that takes every request and answers none until the test
/// ends (then 503), counting what it got: a tenant whose e-conomic or Stripe hangs.
struct SilentRemote: Sendable {
    let port: Int
    let state: State

    final class State: Sendable {
        private let counts = Mutex((requests: 0, answered: 0, released: false))
        var requests: Int { counts.withLock { $0.requests } }
        var answered: Int { counts.withLock { $0.answered } }
        var released: Bool { counts.withLock { $0.released } }
        func received() { counts.withLock { $0.requests += 1 } }
        func answer() { counts.withLock { $0.answered += 1 } }
        func release() { counts.withLock { $0.released = true } }
    }

    var requests: Int { state.requests }
    var answered: Int { state.answered }

    /// An e-conomic client configuration for it, with a timeout far beyond the test.
    var economicConfiguration: EconomicClient.Configuration {
        EconomicClient.Configuration(
            baseURL: "http://127.0.0.1:\(port)", appSecretToken: "silent", agreementGrantToken: "silent", timeout: .seconds(600))
    }

    /// A Stripe client configuration for it, with a timeout far beyond the test.
    var stripeConfiguration: StripeConfiguration {
        StripeConfiguration(apiBase: "http://127.0.0.1:\(port)", secretKey: "sk_test_silent", timeout: .seconds(600))
    }

    static func run(_ body: (SilentRemote) async throws -> Void) async throws {
        var logger = Logger(label: "accord.tests.silent-economic")
        logger.logLevel = .critical
        let state = State()
        let router = Router()
        let silence: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            state.received()
            while !state.released { try await Task.sleep(for: .milliseconds(20)) }
            state.answer()
            return Response(status: .serviceUnavailable)
        }
        router.get("customers", use: silence)
        router.get("v1/events", use: silence)
        let makeApplication = { (onServerRunning: @escaping @Sendable (Int) async -> Void) in
            Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) }, logger: logger)
        }
        try await withRunningApplication(makeApplication, logger: logger) { port in
            defer { state.release() }
            try await body(SilentRemote(port: port, state: state))
        }
    }
}
