import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing

@testable import Server

/// What the HTTP server does with clients that hold connections without using them.
@Suite("connection limits")
struct ConnectionLimitTests {
    @Test("a connection that sends nothing is closed after the idle timeout")
    func idleConnectionClosed() async throws {
        var configuration = ServerConfiguration(port: 0, idleTimeout: .milliseconds(200), maxConnections: 10)
        configuration.maxJSONBodyBytes = 1024
        try await MemoryHarness.run { harness in
            let router = AccordServer.buildRouter(configuration: configuration, controllers: harness.controllers, metrics: harness.metrics)
            configuration.port = 0
            let app = Application(
                router: router, server: AccordServer.httpServer(configuration), configuration: AccordServer.applicationConfiguration(configuration))
            try await app.test(.live) { client in
                let port = try #require(client.port)
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
                let closed: Bool = try await withThrowingTaskGroup(of: Bool.self) { group in
                    group.addTask {
                        try await channel.closeFuture.get()
                        return true
                    }
                    group.addTask {
                        try await Task.sleep(for: .seconds(10))
                        return false
                    }
                    defer { group.cancelAll() }
                    return try await group.next() ?? false
                }
                if !closed { try? await channel.close() }
                #expect(closed, "the server closed the idle connection")
            }
        }
    }

    @Test("a server told to pick a free port names the port it bound in its public URL (the webhook URL it shows); a configured URL stays")
    func publicURLOfAFreePort() async throws {
        try await ServerHarness.run { harness in
            let live = AccordServer(configuration: ServerConfiguration(port: 0), dependencies: harness.server.dependencies)
            #expect(live.configuration.baseURL == "http://127.0.0.1:0", "not bound yet")
            try await live.buildApplication().test(.live) { client in
                let port = try #require(client.port)
                #expect(live.configuration.baseURL == "http://127.0.0.1:\(port)")
            }
            let configured = AccordServer(
                configuration: ServerConfiguration(port: 0, baseURL: "https://accord.example/"), dependencies: harness.server.dependencies)
            try await configured.buildApplication().test(.live) { _ in
                #expect(configured.configuration.baseURL == "https://accord.example")
            }
        }
    }
}
