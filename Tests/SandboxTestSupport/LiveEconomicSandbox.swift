public import EconomicSandbox
public import Logging

/// An e-conomic sandbox on 127.0.0.1 (a free port) for the duration of a test, over real HTTP, with the sandbox's
/// default tokens. Test targets that need one run it through here.
public enum LiveEconomicSandbox {
    /// Runs a sandbox seeded with `seed` while `body` runs, and passes it its base URL.
    public static func run<T: Sendable>(seed: SandboxSeed = .referenceData, _ body: (_ baseURL: String) async throws -> T) async throws -> T {
        try await run(configuration: SandboxConfiguration(seed: seed), body)
    }

    /// Runs a sandbox with `configuration` (its tokens, seed and knobs; always on 127.0.0.1 and a free port) while
    /// `body` runs, and passes it its base URL; the sandbox logs at `logLevel` and above.
    public static func run<T: Sendable>(
        configuration: SandboxConfiguration, logLevel: Logger.Level = .critical, _ body: (_ baseURL: String) async throws -> T
    ) async throws -> T {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        var logger = Logger(label: "accord.tests.economic-sandbox")
        logger.logLevel = logLevel
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try await buildSandboxApplication(configuration: configuration, logger: logger) { port in
            continuation.yield(port)
            continuation.finish()
        }
        return try await withServices([app], logger: logger) {
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw SandboxDidNotStart() }
            return try await body("http://127.0.0.1:\(port)")
        }
    }
}

/// The sandbox never reported its port.
public struct SandboxDidNotStart: Error, CustomStringConvertible {
    public var description: String { "the e-conomic sandbox did not start" }
}
