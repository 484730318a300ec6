public import Logging
public import ServiceLifecycle

/// Runs `services` in a service group while `body` runs, then shuts them down gracefully — also when `body` throws.
///
/// Never by cancelling their task: a cancelled HTTP server drops a connection it has accepted but not yet served, and
/// NIO traps on the dropped channel ("Deinited NIOAsyncWriter without calling finish()", apple/swift-nio#2637), which
/// ends the whole test process.
/// - Returns: what `body` returned.
/// - Throws: `body`'s error, or a service's.
public func withServices<Result: Sendable>(
    _ services: [any Service], logger: Logger, _ body: () async throws -> Result
) async throws -> Result {
    let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let result = try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}
