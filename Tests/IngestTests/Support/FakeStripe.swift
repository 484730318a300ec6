import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A stand-in for Stripe's customer list alone (`GET /v1/customers`, paged with `limit` and `starting_after`) that
/// answers its first requests with 429 and `Retry-After: 1`. The backfill test uses it rather than the shared
/// localstripe, where a backfill would list — and load localstripe with — every customer every other test made,
/// and which never answers 429.
struct FakeStripe: Sendable {
    let baseURL: String

    /// Runs a fake with `customers` customers (`cus_fake_1`…) whose first `rateLimited` requests get a 429.
    static func run(customers: Int, rateLimited: Int, _ body: (FakeStripe) async throws -> Void) async throws {
        var logger = Logger(label: "accord.tests.fake-stripe")
        logger.logLevel = .warning
        let remaining = Counter(rateLimited)
        let all = (0..<customers).map { #"{"id": "cus_fake_\#($0 + 1)", "object": "customer", "name": "Fake \#($0 + 1)", "metadata": {}}"# }
        let router = Router()
        router.get("v1/customers") { request, _ -> Response in
            guard remaining.take() else {
                return Response(
                    status: .tooManyRequests, headers: [.contentType: "application/json", HTTPField.Name("Retry-After")!: "1"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"error": {"type": "rate_limit_error", "message": "Too many requests"}}"#)))
            }
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 10
            let start =
                request.uri.queryParameters.get("starting_after").flatMap { after in all.firstIndex { $0.contains("\"\(after)\"") } }
                .map { $0 + 1 } ?? 0
            let page = all[min(start, all.count)..<min(start + limit, all.count)]
            let body =
                #"{"object": "list", "url": "/v1/customers", "has_more": \#(start + limit < all.count), "data": [\#(page.joined(separator: ","))]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let makeApplication = { (onServerRunning: @escaping @Sendable (Int) async -> Void) in
            Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) }, logger: logger)
        }
        try await withRunningApplication(makeApplication, logger: logger) { port in
            try await body(FakeStripe(baseURL: "http://127.0.0.1:\(port)"))
        }
    }

    /// Requests still to be refused.
    final class Counter: Sendable {
        private let value: Mutex<Int>

        init(_ value: Int) { self.value = Mutex(value) }

        /// True when the request may pass; false (and one less to refuse) while some are left to refuse.
        func take() -> Bool {
            value.withLock { value in
                guard value > 0 else { return true }
                value -= 1
                return false
            }
        }
    }
}
