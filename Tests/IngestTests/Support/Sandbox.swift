import AsyncHTTPClient
import Connectors
import EconomicSandbox
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SandboxTestSupport

/// An e-conomic sandbox on 127.0.0.1 (port 0) for the duration of a test, over real HTTP, with no customers
/// until the test adds some (`generate`) and its admin API (`/_sandbox/…`) at hand.
struct Sandbox: Sendable {
    let baseURL: String

    /// A client with the sandbox's tokens.
    var client: EconomicClient {
        EconomicClient(
            configuration: .init(
                baseURL: baseURL, appSecretToken: SandboxConfiguration.defaultAppSecretToken,
                agreementGrantToken: SandboxConfiguration.defaultAgreementGrantToken))
    }

    static func run(_ body: (Sandbox) async throws -> Void) async throws {
        let configuration = SandboxConfiguration(port: 0, seed: .referenceData, numbering: .consecutive(startingAt: 1))
        try await LiveEconomicSandbox.run(configuration: configuration, logLevel: .warning) { baseURL in
            try await body(Sandbox(baseURL: baseURL))
        }
    }

    /// Adds `count` generated customers; returns their numbers.
    @discardableResult
    func generate(_ count: Int) async throws -> [Int] {
        let body = try await admin(.POST, "/_sandbox/customers", json: #"{"generate": \#(count)}"#)
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return (object?["created"] as? [Int]) ?? []
    }

    /// Changes some knobs (`PATCH /_sandbox/knobs`).
    func knobs(_ json: String) async throws { try await admin(.PATCH, "/_sandbox/knobs", json: json) }

    /// Queues faults for the next requests in the knobs' scope (`POST /_sandbox/faults`).
    func faults(_ next: [String]) async throws {
        try await admin(.POST, "/_sandbox/faults", json: #"{"next": [\#(next.map { "\"\($0)\"" }.joined(separator: ","))]}"#)
    }

    /// Calls the admin API; throws unless it answers 2xx.
    @discardableResult
    func admin(_ method: HTTPMethod, _ path: String, json: String) async throws -> String {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard (200..<300).contains(response.status.code) else {
            throw MissingPrerequisite(description: "\(method) \(path): \(response.status) \(body)")
        }
        return body
    }
}
