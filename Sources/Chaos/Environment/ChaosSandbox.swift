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

    /// An accountant's edit in e-conomic's own screens: only `changes` (field-map keys, as ``ChaosScript`` writes them;
    /// "" clears), applied in one step (`PATCH /_sandbox/customers/{n}`) — the accountant never writes back a copy read
    /// earlier.
    /// - Returns: the fields whose value the edit changed (a value set as the customer already held it changes nothing);
    ///   nil when the customer is gone.
    func edit(customer number: Int, changes: [String: String]) async throws -> Set<String>? {
        var body: [String: Any] = [:]
        for (key, value) in changes {
            switch key {
            case "paymentTerms": body[key] = ["paymentTermsNumber": Int(value) ?? 1]
            case ChaosScript.creditLimitKey: body[key] = Double(value) ?? 0
            default: body[key] = value.isEmpty ? NSNull() : value
            }
        }
        var request = HTTPClientRequest(url: baseURL + "/_sandbox/customers/\(number)")
        request.method = .PATCH
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = Data(buffer: try await response.body.collect(upTo: 16 << 20))
        if response.status == .notFound { return nil }
        guard (200..<300).contains(response.status.code) else {
            throw ChaosSetupError(description: "sandbox edit of customer \(number): \(response.status) \(String(decoding: data, as: UTF8.self))")
        }
        guard let changed = response.headers.first(name: "X-Sandbox-Changed") else { return Set(changes.keys) }
        return Set(changed.split(separator: ",").map(String.init))
    }

    /// The accountant's edits an API `PUT` undid by writing back what it had read before them.
    func overwrites() async throws -> [SandboxOverwrite] {
        try JSONDecoder().decode([SandboxOverwrite].self, from: try await admin(.GET, "/_sandbox/overwrites", body: nil))
    }

    private func admin(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> Data {
        let (status, data) = try await send(method, path, body: body)
        guard (200..<300).contains(status.code) else {
            throw ChaosSetupError(description: "sandbox \(method) \(path): \(status) \(String(decoding: data, as: UTF8.self))")
        }
        return data
    }

    private func send(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> (HTTPResponseStatus, Data) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (response.status, Data(buffer: try await response.body.collect(upTo: 16 << 20)))
    }
}
