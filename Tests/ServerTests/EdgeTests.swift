import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing

@testable import Server

@Suite("The edge: rate limits, body caps, client addresses")
struct EdgeTests {
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// Runs `body` with a client of a harness whose server has `limits`.
    static func withClient(
        _ setup: TestingSetup = .router, limits: EdgeLimits, _ body: @escaping @Sendable (MemoryHarness, TestClient) async throws -> Void
    ) async throws {
        try await MemoryHarness.run { base in
            var harness = base
            harness.configuration.limits = limits
            try await harness.withClient(setup) { [harness] client in try await body(harness, client) }
        }
    }

    @Test("over the per-client limit: 429 rate_limited with Retry-After and the JSON error body; allowed again after the wait")
    func perClientLimit() async throws {
        // One token per 20 s: even on a loaded machine the burst is spent long before a token comes back.
        let limits = EdgeLimits(perClient: RequestRateLimit(requestsPerSecond: 0.05, burst: 3), perTenant: nil, webhooksPerTenant: nil)
        try await Self.withClient(limits: limits) { harness, client in
            for _ in 0..<3 { #expect(try await client.get("/api/v1/customers", key: "ak_0123456789abcdef_bad").status == .unauthorized) }
            let limited = try await client.get("/api/v1/customers", key: harness.acmeKey)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == "rate_limited")
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter >= 1)
            let page = try await client.get("/login")
            #expect(page.status == .tooManyRequests, "the pages share the address's bucket")
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.headers[.retryAfter] != nil)
            #expect(try await client.get("/health").status == .ok, "probes are never limited")

            try await Task.sleep(for: .seconds(retryAfter))
            #expect(try await client.get("/api/v1/customers", key: harness.acmeKey).status == .ok)
        }
    }

    @Test("on a live connection the per-client refusal is answered before the router, in the same shape; pages and probes still go on")
    func earlyRefusal() async throws {
        try await Self.withClient(
            .live,
            limits: EdgeLimits(
                perClient: RequestRateLimit(requestsPerSecond: 0.05, burst: 2), perTenant: nil, webhooksPerTenant: nil)
        ) { harness, client in
            for _ in 0..<2 { #expect(try await client.get("/api/v1/customers", key: "ak_0123456789abcdef_bad").status == .unauthorized) }
            // A refused request with a body: the body is dropped, and the next requests are answered in turn.
            for _ in 0..<2 {
                let limited = try await client.request(.post, "/api/v1/customers/stripe/cus_1/exclude", key: harness.acmeKey, json: "{}")
                #expect(limited.status == .tooManyRequests)
                #expect(limited.errorCode == "rate_limited")
                #expect(limited.headers[.contentType] == "application/json; charset=utf-8")
                #expect(try #require(limited.headers[.retryAfter].flatMap { Int($0) }) >= 1)
            }
            let page = try await client.get("/login")
            #expect(page.status == .tooManyRequests, "the pages' refusal is the router's HTML page")
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            let metrics = try await client.get("/metrics")
            #expect(metrics.status == .ok, "probes are never limited")
            #expect(metrics.text.contains(#"http_server_requests_total{method="POST",route="edge",status="429"} 2"#), "refused on the connection")
            #expect(metrics.text.contains(#"route="/api/v1/customers",status="401"} 2"#))
        }
    }

    @Test("a refused request that asks to close its connection is answered, then the connection is closed")
    func earlyRefusalCloses() async throws {
        try await Self.withClient(
            .live,
            limits: EdgeLimits(
                perClient: RequestRateLimit(requestsPerSecond: 0.05, burst: 1), perTenant: nil, webhooksPerTenant: nil)
        ) { _, client in
            #expect(try await client.get("/api/v1/customers", key: "ak_0123456789abcdef_bad").status == .unauthorized)
            let port = try #require(client.client.port)
            let answer = try await Self.exchange(
                port: port, "GET /api/v1/customers HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            #expect(answer?.hasPrefix("HTTP/1.1 429") == true, "answered: \(answer ?? "the connection stayed open")")
            #expect(answer?.lowercased().contains("connection: close") == true)
            #expect(answer?.contains(#""code":"rate_limited""#) == true)
            #expect(answer?.lowercased().contains("server: accord") == true)
        }
    }

    @Test("the refusals' Date header is RFC 9110's IMF-fixdate")
    func httpDate() {
        #expect(ClientLimitRefusalHandler.httpDate(second: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(ClientLimitRefusalHandler.httpDate(second: 1_796_601_600) == "Mon, 07 Dec 2026 00:00:00 GMT")
    }

    /// Sends `request` on a connection of its own and reads until the server closes it: the bytes read, or nil when
    /// the connection is still open after 10 s.
    static func exchange(port: Int, _ request: String) async throws -> String? {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) {
            channel in channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(ByteBuffer(string: request))
                    var answer = ""
                    for try await chunk in inbound { answer += String(buffer: chunk) }
                    return answer
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    @Test("the per-tenant limit counts a tenant's API requests and pages together, and no other tenant's")
    func perTenantLimit() async throws {
        try await Self.withClient(
            limits: EdgeLimits(
                perClient: nil, perTenant: RequestRateLimit(requestsPerSecond: 0.1, burst: 3), webhooksPerTenant: nil)
        ) { harness, client in
            let cookie = try await client.login(harness.acmeKey)
            #expect(try await client.get("/ui", cookie: cookie).status == .ok)
            #expect(try await client.get("/api/v1/customers", key: harness.acmeKey).status == .ok)
            #expect(try await client.get("/api/v1/customers", key: harness.acmeKey).status == .ok)
            let limited = try await client.get("/ui", cookie: cookie)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
            #expect(try await client.get("/api/v1/customers", key: harness.acmeKey).errorCode == "rate_limited")
            #expect(try await client.get("/api/v1/customers", key: harness.globexKey).status == .ok)
        }
    }

    @Test("webhooks are limited per tenant id in the path, not per address")
    func webhookLimit() async throws {
        try await Self.withClient(
            limits: EdgeLimits(
                perClient: RequestRateLimit(requestsPerSecond: 0.1, burst: 1), perTenant: nil,
                webhooksPerTenant: RequestRateLimit(requestsPerSecond: 0.1, burst: 2))
        ) { harness, client in
            // This router has no webhook route (it needs PostgreSQL): under the limit the answer is 404.
            for _ in 0..<2 { #expect(try await client.post("/webhooks/stripe/acme", json: "{}").status == .notFound) }
            let limited = try await client.post("/webhooks/stripe/acme", json: "{}")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == "rate_limited")
            #expect(limited.headers[.retryAfter] != nil)
            #expect(try await client.post("/webhooks/stripe/globex", json: "{}").status == .notFound, "another tenant has its own bucket")
            #expect(try await client.post("/webhooks/stripe/made-up", json: "{}").status == .notFound)
        }
    }

    @Test("a body announced larger than its route's cap is 413 before anything reads it, on routes that read no body too")
    func bodyCaps() async throws {
        try await MemoryHarness.run { harness in
            try await harness.withClient { client in
                let big = String(repeating: "x", count: 20 * 1024)
                let api = try await client.request(.post, "/api/v1/customers/stripe/cus_1/exclude", key: harness.acmeKey, body: big)
                #expect(api.status == .contentTooLarge)
                #expect(api.errorCode == "payload_too_large")
                let login = try await client.request(
                    .post, "/login", headers: [.contentType: "application/x-www-form-urlencoded"], body: String(repeating: "x", count: 65 * 1024))
                #expect(login.status == .contentTooLarge)
                let webhook = try await client.post("/webhooks/stripe/acme", json: String(repeating: " ", count: 513 * 1024))
                #expect(webhook.status == .contentTooLarge)
            }
        }
    }

    @Test("X-Forwarded-For names the client only when the peer is a trusted proxy, read from the right")
    func clientAddress() {
        let trusted: Set<String> = ["10.0.0.1", "10.0.0.2"]
        #expect(ClientAddress.resolve(peer: "203.0.113.9", forwardedFor: ["198.51.100.7"], trustedProxies: trusted) == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: ["198.51.100.7"], trustedProxies: trusted) == "198.51.100.7")
        #expect(
            ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: ["1.2.3.4, 198.51.100.7, 10.0.0.2"], trustedProxies: trusted) == "198.51.100.7",
            "a client's own entry (1.2.3.4) is to the left of what the proxies appended")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: ["1.2.3.4", "198.51.100.7"], trustedProxies: trusted) == "198.51.100.7")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: [], trustedProxies: trusted) == "10.0.0.1")
        #expect(ClientAddress.resolve(peer: nil, forwardedFor: ["198.51.100.7"], trustedProxies: trusted) == ClientAddress.unknown)
    }

    @Test("a bucket refills at its rate up to its burst; keys are kept within the capacity")
    func rateLimiter() {
        let start = ContinuousClock.now
        let limiter = RateLimiter(limit: RequestRateLimit(requestsPerSecond: 2, burst: 2), capacity: 3)
        #expect(limiter.take("a", now: start) == nil)
        #expect(limiter.take("a", now: start) == nil)
        #expect(limiter.wait(for: "a", now: start) == .milliseconds(500), "looking takes nothing")
        let wait = limiter.take("a", now: start)
        #expect(wait == .milliseconds(500))
        #expect(limiter.wait(for: "b", now: start) == nil, "an address never seen has its burst")
        #expect(limiter.take("a", now: start + .milliseconds(500)) == nil)
        #expect(limiter.take("a", now: start + .milliseconds(500)) != nil)
        #expect(limiter.take("a", now: start + .seconds(10)) == nil)
        #expect(limiter.take("a", now: start + .seconds(10)) == nil)
        #expect(limiter.take("a", now: start + .seconds(10)) != nil, "the burst caps what a quiet spell saves")
        for key in ["b", "c", "d", "e"] { #expect(limiter.take(key, now: start + .seconds(10)) == nil) }
        #expect(limiter.count <= 3)
    }

    @Test("default limits are on, generous, and the Secure attribute is set on cookies unless configured off")
    func defaults() async throws {
        let configuration = ServerConfiguration()
        #expect(configuration.secureCookies)
        #expect((configuration.limits.perClient?.requestsPerSecond ?? 0) >= 50)
        #expect((configuration.limits.perTenant?.requestsPerSecond ?? 0) >= 100)
        #expect((configuration.limits.webhooksPerTenant?.requestsPerSecond ?? 0) >= 200)
        try await MemoryHarness.run { harness in
            try await harness.withClient { client throws in
                #expect(try await client.get("/login").headers[.setCookie]?.contains("Secure") == true)
            }
            var plain = harness
            plain.configuration.secureCookies = false
            try await plain.withClient { client throws in
                #expect(try await client.get("/login").headers[.setCookie]?.contains("Secure") == false)
            }
        }
    }
}
