import AsyncHTTPClient
import Connectors
import EconomicSandbox
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SandboxTestSupport

/// Runs a sandbox on 127.0.0.1 with port 0 for the duration of `body`, over real HTTP.
struct LiveSandbox: Sendable {
    let baseURL: String
    let configuration: SandboxConfiguration

    static let appSecret = "test-app-secret-1234"
    static let grant = "test-agreement-grant-5678"

    /// A client for this sandbox with the right tokens.
    func client(timeout: Duration = .seconds(10), appSecret: String = LiveSandbox.appSecret, grant: String = LiveSandbox.grant) -> EconomicClient {
        EconomicClient(
            configuration: .init(baseURL: baseURL, appSecretToken: appSecret, agreementGrantToken: grant, timeout: timeout))
    }

    /// Calls an admin endpoint (`/_sandbox/…`) and returns the status and body.
    @discardableResult
    func admin(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> (status: Int, body: String) {
        try await raw(method, path, json: json, tokens: false)
    }

    /// A raw request with the sandbox tokens (unless `tokens` is false), for shape checks.
    func raw(
        _ method: HTTPMethod, _ pathAndQuery: String, json: String? = nil, tokens: Bool = true, contentType: String = "application/json"
    ) async throws -> (status: Int, body: String) {
        let response = try await rawResponse(method, pathAndQuery, json: json, tokens: tokens, contentType: contentType)
        return (response.status, response.body)
    }

    func rawResponse(
        _ method: HTTPMethod, _ pathAndQuery: String, json: String? = nil, tokens: Bool = true, contentType: String = "application/json"
    ) async throws -> (status: Int, headers: [String: String], body: String) {
        var request = HTTPClientRequest(url: baseURL + pathAndQuery)
        request.method = method
        if tokens {
            request.headers.add(name: "X-AppSecretToken", value: Self.appSecret)
            request.headers.add(name: "X-AgreementGrantToken", value: Self.grant)
        }
        request.headers.add(name: "Content-Type", value: contentType)
        if let json { request.body = .bytes(ByteBuffer(string: json)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return (Int(response.status.code), headers, String(buffer: body))
    }

    /// A JSON object from a raw GET.
    func json(_ pathAndQuery: String) async throws -> [String: Any] {
        let (status, body) = try await raw(.GET, pathAndQuery)
        guard status == 200, let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            throw TestFailure("GET \(pathAndQuery) gave \(status): \(body)")
        }
        return object
    }

    static func run<T: Sendable>(
        _ configuration: SandboxConfiguration = SandboxConfiguration(),
        _ body: @Sendable (LiveSandbox) async throws -> T
    ) async throws -> T {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.appSecretToken = appSecret
        configuration.agreementGrantToken = grant
        return try await LiveEconomicSandbox.run(configuration: configuration, logLevel: .warning) { baseURL in
            try await body(LiveSandbox(baseURL: baseURL, configuration: configuration))
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The recorded e-conomic responses copied from shared/fixtures (MIT, see Fixtures/LICENSE-traels-it-economic-rest.txt).
enum Fixtures {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name)
    }

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: url(name))
    }

    static func object(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: data(name)) as! [String: Any]
    }

    static var jsonFiles: [String] {
        let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }
}
