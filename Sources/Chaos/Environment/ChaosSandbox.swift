import AsyncHTTPClient
import Connectors
import EconomicSandbox
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ServiceLifecycle

/// The run's e-conomic: an in-process sandbox on a free port, its e-conomic API (as Accord and the accountant use
/// it) and its admin API (faults, statistics, customers added without faults).
struct ChaosSandbox: Sendable {
    /// `http://127.0.0.1:<port>`.
    let baseURL: String

    /// A client with the sandbox's tokens.
    var client: EconomicClient {
        EconomicClient(
            configuration: .init(
                baseURL: baseURL, appSecretToken: SandboxConfiguration.defaultAppSecretToken,
                agreementGrantToken: SandboxConfiguration.defaultAgreementGrantToken, timeout: .seconds(10)))
    }

    /// Runs a sandbox (no customers, the seed's fault generator) for the duration of `body`.
    static func run<Result: Sendable>(seed: UInt64, logger: Logger, _ body: (ChaosSandbox) async throws -> Result) async throws -> Result {
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        let application = try await buildSandboxApplication(
            configuration: SandboxConfiguration(port: 0, randomSeed: seed, seed: .referenceData), logger: logger
        ) { port.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [.init(service: application)], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Result?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let bound = await iterator.next() else { throw CancellationError() }
            let result: Result
            do {
                result = try await body(ChaosSandbox(baseURL: "http://127.0.0.1:\(bound)"))
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }

    /// Replaces the fault knobs.
    func setKnobs(_ knobs: SandboxKnobs) async throws {
        _ = try await admin(.PUT, "/_sandbox/knobs", body: try JSONEncoder().encode(knobs))
    }

    /// The counters so far.
    func stats() async throws -> SandboxStats {
        try JSONDecoder().decode(SandboxStats.self, from: try await admin(.GET, "/_sandbox/stats", body: nil))
    }

    /// Adds a customer (e-conomic's write shape, validated like a POST, never faulted); returns its number.
    func addCustomer(_ customer: EconomicCustomer) async throws -> Int {
        let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(customer.writeBody))
        let body = try JSONSerialization.data(withJSONObject: ["customers": [object]])
        let answer = try JSONSerialization.jsonObject(with: try await admin(.POST, "/_sandbox/customers", body: body)) as? [String: Any]
        guard let number = (answer?["created"] as? [Int])?.first else { throw ChaosSetupError(description: "the sandbox created no customer") }
        return number
    }

    private func admin(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = Data(buffer: try await response.body.collect(upTo: 16 << 20))
        guard (200..<300).contains(response.status.code) else {
            throw ChaosSetupError(description: "sandbox \(method) \(path): \(response.status) \(String(decoding: data, as: UTF8.self))")
        }
        return data
    }
}
