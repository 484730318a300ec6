import AsyncHTTPClient
import Connectors
import Credentials
import EconomicSandbox
import EventStore
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import SandboxTestSupport

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A sandbox e-conomic on 127.0.0.1, port 0, over real HTTP, for the duration of `body`.
struct Sandbox: Sendable {
    let baseURL: String

    static let appSecret = "outbound-test-app-secret"
    static let grant = "outbound-test-grant"

    /// The tenant connection that reaches this sandbox.
    var connection: TenantConnections.Economic {
        TenantConnections.Economic(baseURL: baseURL, appSecretToken: Secret(Self.appSecret), agreementGrantToken: Secret(Self.grant))
    }

    /// A client with the sandbox's tokens (for setting up and checking).
    func client() -> EconomicClient {
        EconomicClient(configuration: .init(baseURL: baseURL, appSecretToken: Self.appSecret, agreementGrantToken: Self.grant, timeout: .seconds(10)))
    }

    /// Calls an admin endpoint (`/_sandbox/…`).
    @discardableResult
    func admin(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json")
        if let json { request.body = .bytes(ByteBuffer(string: json)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// `GET /_sandbox/stats`.
    func stats() async throws -> SandboxStats {
        let (status, body) = try await admin(.GET, "/_sandbox/stats")
        guard status == 200 else { throw TestFailure("stats: HTTP \(status) \(body)") }
        return try JSONDecoder().decode(SandboxStats.self, from: Data(body.utf8))
    }

    /// How many requests with this method and path pattern got this status (0 = dropped).
    func count(_ stats: SandboxStats, _ method: String, _ path: String, status: Int? = nil) -> Int {
        stats.requests.filter { $0.method == method && $0.path == path && (status == nil || $0.status == status) }.reduce(0) { $0 + $1.count }
    }

    static func run<T: Sendable>(_ configuration: SandboxConfiguration = SandboxConfiguration(), _ body: @Sendable (Sandbox) async throws -> T)
        async throws -> T
    {
        var configuration = configuration
        configuration.appSecretToken = appSecret
        configuration.agreementGrantToken = grant
        return try await LiveEconomicSandbox.run(configuration: configuration) { baseURL in try await body(Sandbox(baseURL: baseURL)) }
    }
}

/// The localstripe started by `ops/test.sh` (`STRIPE_API_BASE`); shared by parallel tests, so each uses its own customers.
enum LocalStripe {
    static let secretKey = "sk_test_accord_outbound"

    static func baseURL() throws -> String {
        guard let value = ProcessInfo.processInfo.environment["STRIPE_API_BASE"], !value.isEmpty else {
            throw TestFailure(
                "STRIPE_API_BASE is not set: run the tests with `bash ops/test.sh --filter OutboundTests`, which starts localstripe")
        }
        return value
    }

    static func client() throws -> StripeClient {
        StripeClient(configuration: StripeConfiguration(apiBase: try baseURL(), secretKey: secretKey, timeout: .seconds(10)))
    }

    static func connection() throws -> TenantConnections.Stripe {
        TenantConnections.Stripe(apiBase: try baseURL(), secretKey: Secret(secretKey))
    }
}
