import Hummingbird
import Logging
import ServiceLifecycle

/// Runs an HTTP application (bound to port 0) for the duration of `body`, which gets the bound port.
func withRunningApplication(
    _ makeApplication: (_ onServerRunning: @escaping @Sendable (Int) async -> Void) async throws -> some ApplicationProtocol,
    logger: Logger, _ body: (Int) async throws -> Void
) async throws {
    let (ports, port) = AsyncStream.makeStream(of: Int.self)
    let app = try await makeApplication { port.yield($0) }
    let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else { return }
        do {
            try await body(bound)
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}
