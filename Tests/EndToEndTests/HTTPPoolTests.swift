import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PGClient
import Runtime
import SyncDomain
import Testing

/// The HTTP server works through a pool of its own: requests from the internet never take the connections the
/// reactor, the projections and the outbound worker need, and those never starve the API either.
@Suite("the HTTP server's own pool", .timeLimit(.minutes(5)))
struct HTTPPoolTests {
    @Test("with every connection of the workers' pool taken, /ready still answers through the server's pool")
    func readyWhileWorkersHoldTheirPool() async throws {
        try await EndToEnd.run(settings: { $0.createPolicy = .manual }) { e2e in
            let services = e2e.services
            #expect(services.httpPool !== services.pool)
            let held = AsyncStream.makeStream(of: Void.self)
            let gate = Gate()
            let holders = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<services.pool.maxConnections {
                        group.addTask {
                            try await services.pool.withConnection { _ in
                                held.continuation.yield()
                                await gate.wait()
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            var taken = 0
            for await _ in held.stream {
                taken += 1
                if taken == services.pool.maxConnections { break }
            }
            #expect(services.pool.usage.inUse == services.pool.maxConnections)
            var request = HTTPClientRequest(url: e2e.accordURL + "/ready")
            request.method = .GET
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
            #expect(response.status == .ok, "answered through the server's own pool")
            await gate.open()
            try await holders.value
        }
    }
}

/// Holds its waiters until opened.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}
