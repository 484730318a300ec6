import AsyncHTTPClient
import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// A localstripe of the run's own (`ops/localstripe.py`, loopback only, a free port).
///
/// localstripe sends every event to every webhook registered with it, and its events list holds everyone's events:
/// a localstripe shared with other tests would let their tenants create partners for this run's customers and write
/// numbers into their metadata. One per seed also keeps each seed's Stripe as fresh as its database.
final class LocalStripeProcess {
    /// `http://127.0.0.1:<port>`.
    let baseURL: String
    private let process: Process
    private let directory: URL

    private init(baseURL: String, process: Process, directory: URL) {
        self.baseURL = baseURL
        self.process = process
        self.directory = directory
    }

    /// Starts localstripe and returns once it answers.
    /// - Parameters:
    ///   - python: a Python with localstripe installed (`ACCORD_PYTHON`, ops/.venv's).
    ///   - script: `ops/localstripe.py`.
    static func start(python: String, script: String) async throws -> LocalStripeProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accord-chaos-stripe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let portFile = directory.appendingPathComponent("port")
        let log = directory.appendingPathComponent("localstripe.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--port-file", portFile.path]
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline, process.isRunning {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                let base = "http://127.0.0.1:\(port)"
                // Any answer means it serves (an unauthenticated request gets 401).
                if (try? await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/v1/customers"), timeout: .seconds(2))) != nil {
                    return LocalStripeProcess(baseURL: base, process: process, directory: directory)
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let tail = (try? String(contentsOf: log, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
        if process.isRunning { process.terminate() }
        throw ChaosSetupError(description: "localstripe did not start (\(python) \(script)); its log ends: \(tail)")
    }

    /// Stops it (SIGTERM, then SIGKILL after five seconds) and removes its directory.
    func stop() async {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// What a chaos run needs and did not find (a database, localstripe, a path).
public struct ChaosSetupError: Error, CustomStringConvertible {
    /// What is missing and what to do.
    public var description: String

    /// Makes an error.
    public init(description: String) { self.description = description }
}
