import AsyncHTTPClient
import Connectors
import EventStore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import PGClient
import Synchronization

/// The webhooks benchmark's traffic and measurements on loopback: signed deliveries at a steady rate, the flood
/// (forged webhooks and bad-key API requests, each bounded in rate, time and requests in flight), `/metrics` samples,
/// and the observations read back from the log.
///
/// The signed deliveries go over connections of their own (``stripe``), as Stripe's do: an attacker's connections are
/// not Stripe's, and a delivery queued in the sender's own pool behind the flood's requests would measure the
/// sender, not the server. The flood goes through ``FloodClient``, which costs the shared cores far less per request.
final class WebhookLoad: Sendable {
    let accordURL: String
    let tenant: TenantID
    let signer: StripeWebhookSigner
    /// The flood's and the `/metrics` samples' client.
    let client: HTTPClient
    /// The signed deliveries' client (Stripe's connections).
    let stripe: HTTPClient
    /// The flood's client (see ``FloodClient``) and the `Host` its requests name.
    let flooder: FloodClient
    let floodHost: String
    /// The senders' event loops, one thread each, apart from the server's (`.singleton`): on one loop the server's
    /// answers to the signed deliveries waited behind the flood client's own reads and writes, and the latency
    /// measured the sender as much as the server.
    let floodLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let stripeLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    init(accordURL: String, tenant: TenantID, secret: String) {
        self.accordURL = accordURL
        self.tenant = tenant
        self.signer = StripeWebhookSigner(secrets: [secret])
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(30))
        self.client = HTTPClient(eventLoopGroupProvider: .shared(floodLoop), configuration: configuration)
        self.stripe = HTTPClient(eventLoopGroupProvider: .shared(stripeLoop), configuration: configuration)
        let url = URL(string: accordURL)
        self.floodHost = "\(url?.host ?? "127.0.0.1"):\(url?.port ?? 80)"
        self.flooder = FloodClient(host: url?.host ?? "127.0.0.1", port: url?.port ?? 80, loop: floodLoop.next())
    }

    func shutdown() {
        try? client.syncShutdown()
        try? stripe.syncShutdown()
        flooder.shutdown()
        try? floodLoop.syncShutdownGracefully()
        try? stripeLoop.syncShutdownGracefully()
    }

    /// What one run of deliveries did: each delivery's send time by customer id, how long each took to be answered
    /// (seconds), and the answers by status.
    struct Sent: Sendable {
        var sentAt: [String: Date] = [:]
        var answerTimes: [Double] = []
        var statuses: [Int: Int] = [:]
        var elapsed: Duration = .zero
    }

    /// What each half of the flood got back (answers by status, sends skipped at the in-flight cap).
    struct FloodAnswers: Sendable {
        var webhooks = FloodClient.Tally()
        var api = FloodClient.Tally()
    }

    /// One `/metrics` sample: the most any follower lags, and the webhook deliveries waiting in the inbox.
    struct Sample: Sendable {
        var lag: Double
        var inbox: Double
    }

    /// Posts a signed `customer.created` for each customer, `rate` per second.
    func deliver(customers: [String], emailOffset: Int, email: @escaping @Sendable (Int) -> String, rate: Double) async throws -> Sent {
        let sent = Mutex(Sent())
        let start = ContinuousClock.now
        try await Self.paced(count: customers.count, rate: rate, maxInFlight: 4_096) { index in
            let address = email(emailOffset + index)
            let created = Int64(Date().timeIntervalSince1970)
            let event: [String: Any] = [
                "id": "evt_bench_\(customers[index])", "object": "event", "type": "customer.created", "created": created, "livemode": false,
                "data": ["object": ["id": customers[index], "object": "customer", "email": address]],
            ]
            let body = try JSONSerialization.data(withJSONObject: event)
            var request = HTTPClientRequest(url: "\(self.accordURL)/webhooks/stripe/\(self.tenant.rawValue)")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Stripe-Signature", value: self.signer.header(payload: body, timestamp: created))
            request.body = .bytes(ByteBuffer(bytes: body))
            let sentAt = Date()
            let status = await self.status(of: request, over: self.stripe)
            let answered = Date().timeIntervalSince(sentAt)
            sent.withLock {
                $0.sentAt[customers[index]] = sentAt
                $0.answerTimes.append(answered)
                $0.statuses[status, default: 0] += 1
            }
        } skipped: {
        }
        var result = sent.withLock { $0 }
        result.elapsed = ContinuousClock.now - start
        return result
    }

    /// Forged webhooks (random signatures, made-up tenant ids), `webhookRate` per second, and API requests with made-up
    /// keys, `apiRate` per second, for `duration`.
    func flood(webhookRate: Double, apiRate: Double, duration: Duration, maxInFlight: Int) async throws -> FloodAnswers {
        let host = floodHost
        async let webhooks = flooder.flood(count: Int(webhookRate * duration.seconds), rate: webhookRate, maxInFlight: maxInFlight) { index in
            let body = ByteBuffer(string: #"{"id":"evt_forged_\#(index)","object":"event","type":"customer.created","created":0,"data":{"object":{}}}"#)
            let head = HTTPRequestHead(
                version: .http1_1, method: .POST, uri: "/webhooks/stripe/forged-\(index % 1_000)",
                headers: [
                    "Host": host, "Content-Type": "application/json", "Content-Length": String(body.readableBytes),
                    "Stripe-Signature": "t=\(Int(Date().timeIntervalSince1970)),v1=\(SecureRandomHex.make(32))",
                ])
            return (head, body)
        }
        async let api = flooder.flood(count: Int(apiRate * duration.seconds), rate: apiRate, maxInFlight: maxInFlight) { _ in
            let head = HTTPRequestHead(
                version: .http1_1, method: .GET, uri: "/api/v1/customers",
                headers: ["Host": host, "Authorization": "Bearer ak_\(SecureRandomHex.make(8))_\(SecureRandomHex.make(16))"])
            return (head, nil)
        }
        let (forged, badKeys) = try await (webhooks, api)
        return FloodAnswers(webhooks: forged, api: badKeys)
    }

    /// Waits until the tenant's webhook secret is known to the server (its secrets are cached and refreshed).
    func waitUntilSecretKnown() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let body = Data(#"{"id":"evt_bench_probe","object":"event","type":"balance.available","created":0,"data":{"object":{}}}"#.utf8)
            let created = Int64(Date().timeIntervalSince1970)
            var request = HTTPClientRequest(url: "\(accordURL)/webhooks/stripe/\(tenant.rawValue)")
            request.method = .POST
            request.headers.add(name: "Stripe-Signature", value: signer.header(payload: body, timestamp: created))
            request.body = .bytes(ByteBuffer(bytes: body))
            if await status(of: request, over: stripe) == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw WebhookLoadError(description: "the server did not accept a signed delivery within 60 s")
    }

    /// Scrapes `/metrics` every `interval` until cancelled.
    func sampleMetrics(every interval: Duration) async throws -> [Sample] {
        var samples: [Sample] = []
        while !Task.isCancelled {
            if let text = try? await client.execute(HTTPClientRequest(url: "\(accordURL)/metrics"), timeout: .seconds(10)).body.collect(upTo: 4 << 20)
            {
                var sample = Sample(lag: 0, inbox: 0)
                for line in String(buffer: text).split(separator: "\n") where !line.hasPrefix("#") {
                    guard let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
                    if line.hasPrefix("accord_follower_lag_events") { sample.lag = max(sample.lag, value) }
                    if line.hasPrefix("accord_inbox_backlog") { sample.inbox = value }
                }
                samples.append(sample)
            }
            try? await Task.sleep(for: interval)
        }
        return samples
    }

    private func status(of request: HTTPClientRequest, over client: HTTPClient? = nil) async -> Int {
        do {
            let response = try await (client ?? self.client).execute(request, timeout: .seconds(30))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        } catch {
            return 0
        }
    }

    /// How many of `count` sends are due `seconds` after the start at `rate` per second (the first at once).
    static func due(count: Int, rate: Double, after seconds: Double) -> Int {
        min(count, Int((seconds * rate).rounded(.down)) + 1)
    }

    /// Runs `send(i)` for i in 0..<count, `rate` per second (sends due in the same 10 ms go together), with at most
    /// `maxInFlight` running; a send due while that many run is skipped (`skipped`).
    static func paced(
        count: Int, rate: Double, maxInFlight: Int, _ send: @escaping @Sendable (Int) async throws -> Void, skipped: @escaping @Sendable () -> Void
    ) async throws {
        let inFlight = Shared(Atomic<Int>(0))
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            while next < count {
                let due = Self.due(count: count, rate: rate, after: (ContinuousClock.now - start).seconds)
                while next < due {
                    let index = next
                    next += 1
                    if inFlight.value.load(ordering: .relaxed) >= maxInFlight {
                        skipped()
                        continue
                    }
                    inFlight.value.add(1, ordering: .relaxed)
                    group.addTask {
                        defer { inFlight.value.subtract(1, ordering: .relaxed) }
                        try await send(index)
                    }
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            try await group.waitForAll()
        }
    }

    /// Waits until every customer's first observation is in the log (or `timeout`): the delivery was verified, queued,
    /// its customer read back from Stripe and recorded. Returns when each was recorded, by customer id.
    static func waitForObservations(_ pool: PGConnectionPool, tenant: TenantID, customers: [String], timeout: Duration) async throws
        -> [String: Date]
    {
        let deadline = ContinuousClock.now + timeout
        let streams = customers.map { "customer-stripe-\($0)" }
        var recorded: [String: Date] = [:]
        while ContinuousClock.now < deadline {
            let rows = try await pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    """
                    SELECT stream_id, min(recorded_at) FROM events
                    WHERE tenant_id = \(tenant.rawValue) AND type = 'CustomerObserved' AND stream_id = ANY(\(streams)::text[])
                    GROUP BY 1
                    """
                ).decode((String, Date).self)
            }
            recorded = Dictionary(rows.map { (String($0.0.dropFirst("customer-stripe-".count)), $0.1) }, uniquingKeysWith: min)
            if recorded.count >= customers.count { break }
            try await Task.sleep(for: .seconds(1))
        }
        return recorded
    }

    /// How many customers' observations the inbox appended for the tenant between `start` and `end` (any run's
    /// customers): the workers' throughput over a window, comparable between runs even when one starts with the other's
    /// backlog.
    static func observationsRecorded(_ pool: PGConnectionPool, tenant: TenantID, from start: Date, to end: Date) async throws -> Int {
        try await pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                SELECT count(*) FROM events
                WHERE tenant_id = \(tenant.rawValue) AND type = 'CustomerObserved' AND recorded_at >= \(start) AND recorded_at < \(end)
                """
            ).singleValue(Int.self) ?? 0
        }
    }

    /// The `fraction` percentile of sorted values (0 when there are none).
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }
}

/// A value shared by the tasks of a run (a lock or an atomic, kept by reference).
final class Shared<Value: ~Copyable & Sendable>: Sendable {
    let value: Value
    init(_ value: consuming Value) { self.value = value }
}

/// The webhooks benchmark could not go on.
struct WebhookLoadError: Error, CustomStringConvertible {
    var description: String
}

/// Random lower-case hex, for made-up keys and signatures (cheap: the flood makes thousands a second, on the cores the
/// server runs on).
enum SecureRandomHex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func make(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String(unsafeUninitializedCapacity: bytes * 2) { buffer in
            var word: UInt64 = 0
            for index in 0..<bytes {
                if index % 8 == 0 { word = generator.next() }
                let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8)))
                buffer[2 * index] = digits[Int(byte >> 4)]
                buffer[2 * index + 1] = digits[Int(byte & 0x0f)]
            }
            return bytes * 2
        }
    }
}
