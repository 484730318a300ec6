import Hummingbird
import Logging
import SandboxTestSupport

/// Runs an HTTP application (bound to port 0) for the duration of `body`, which gets the bound port.
func withRunningApplication(
    _ makeApplication: (_ onServerRunning: @escaping @Sendable (Int) async -> Void) async throws -> some ApplicationProtocol,
    logger: Logger, _ body: (Int) async throws -> Void
) async throws {
    let (ports, port) = AsyncStream.makeStream(of: Int.self)
    let app = try await makeApplication { port.yield($0) }
    try await withServices([app], logger: logger) {
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else { return }
        try await body(bound)
    }
}
