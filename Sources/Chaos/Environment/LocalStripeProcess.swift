import AsyncHTTPClient
import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// A localstripe of the run's own (`ops/localstripe.py`, loopback only, a free port), for chaos runs and the
/// end-to-end tests.
///
/// localstripe sends every event to every webhook registered with it, and its events list holds everyone's events:
/// a localstripe shared with other tests would let their tenants create partners for this run's customers and write
/// numbers into their metadata. One per seed also keeps each seed's Stripe as fresh as its database.
public final class LocalStripeProcess: @unchecked Sendable {
    /// `http://127.0.0.1:<port>`.
    public let baseURL: String
    private let process: Process
    /// The pipe whose end closes when this process ends (see ``start(python:script:)``).
    private let lifeline: Pipe
    private let pidFile: URL
    private let directory: URL

    private init(baseURL: String, process: Process, lifeline: Pipe, pidFile: URL, directory: URL) {
        self.baseURL = baseURL
        self.process = process
        self.lifeline = lifeline
        self.pidFile = pidFile
        self.directory = directory
    }

    /// Starts localstripe and returns once it answers.
    ///
    /// It runs under a shell that reads a pipe only this process writes to: when this process ends, however it
    /// ends (a crash, `ops/test.sh`'s timeout), the pipe closes and the shell kills localstripe, so none is left
    /// behind.
    /// - Parameters:
    ///   - python: a Python with localstripe installed (`ACCORD_PYTHON`, ops/.venv's).
    ///   - script: `ops/localstripe.py`.
    public static func start(python: String, script: String) async throws -> LocalStripeProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accord-chaos-stripe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let portFile = directory.appendingPathComponent("port")
        let pidFile = directory.appendingPathComponent("pid")
        let log = directory.appendingPathComponent("localstripe.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", #""$0" "$1" --port-file "$2" </dev/null & echo $! >"$3"; cat >/dev/null; kill -9 $! 2>/dev/null"#,
            python, script, portFile.path, pidFile.path,
        ]
        let output = try FileHandle(forWritingTo: log)
        let lifeline = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = lifeline
        try process.run()
        let started = LocalStripeProcess(baseURL: "", process: process, lifeline: lifeline, pidFile: pidFile, directory: directory)
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline, process.isRunning {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                let base = "http://127.0.0.1:\(port)"
                // Any answer means it serves (an unauthenticated request gets 401).
                if (try? await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/v1/customers"), timeout: .seconds(2))) != nil {
                    return LocalStripeProcess(baseURL: base, process: process, lifeline: lifeline, pidFile: pidFile, directory: directory)
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let tail = (try? String(contentsOf: log, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
        await started.stop()
        throw ChaosSetupError(description: "localstripe did not start (\(python) \(script)); its log ends: \(tail)")
    }

    /// Kills localstripe (it holds nothing worth a graceful stop), lets its shell end, and removes its directory.
    public func stop() async {
        if let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, SIGKILL)
        }
        try? lifeline.fileHandleForWriting.close()
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
