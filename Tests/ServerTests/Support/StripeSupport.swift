import AsyncHTTPClient
import Connectors
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A test prerequisite that is missing: the test fails with this message (never skipped).
struct MissingPrerequisite: Error, CustomStringConvertible {
    var description: String
}

func requiredEnvironment(_ name: String, _ hint: String) throws -> String {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
        throw MissingPrerequisite(description: "\(name) is not set: \(hint)")
    }
    return value
}

/// A Stripe-shaped `customer.*` event body.
func stripeEventBody(id: String, type: String = "customer.updated", customerID: String, created: Int64, name: String = "From the event")
    -> String
{
    """
    {
      "id": "\(id)",
      "object": "event",
      "api_version": "2026-09-30.endive",
      "created": \(created),
      "livemode": false,
      "type": "\(type)",
      "data": {
        "object": {"id": "\(customerID)", "object": "customer", "email": "event@accord.test", "name": "\(name)", "metadata": {}}
      }
    }
    """
}

/// The localstripe started by `ops/test.sh` (`STRIPE_API_BASE`), shared by every test: tests use unique data.
enum LocalStripe {
    static let secretKey = "sk_test_accord_server"

    static func baseURL() throws -> String {
        try requiredEnvironment("STRIPE_API_BASE", "run the tests with `bash ops/test.sh --filter ServerTests` (it starts localstripe)")
    }

    static func configuration() throws -> StripeConfiguration {
        StripeConfiguration(apiBase: try baseURL(), secretKey: secretKey, timeout: .seconds(10))
    }

    static func client() throws -> StripeClient { StripeClient(configuration: try configuration()) }

    static func uniqueEmail(_ label: String) -> String { "\(label)-\(UUID().uuidString.lowercased().prefix(12))@accord.test" }

    /// Registers (or replaces) webhook `id`: localstripe then posts every event to `url`, signed with `secret`.
    static func configureWebhook(id: String, url: String, secret: String, events: [String]? = nil) async throws {
        do {
            try await LocalStripeAdmin.configureWebhook(apiBase: try baseURL(), id: id, url: url, secret: secret, events: events)
        } catch let refused as LocalStripeAdmin.Refused {
            throw MissingPrerequisite(description: refused.description)
        }
    }

    /// Switches webhook `id` off (localstripe cannot remove one).
    static func disableWebhook(id: String) async throws {
        try await LocalStripeAdmin.disableWebhook(apiBase: try baseURL(), id: id)
    }
}

/// The official Python `stripe` package in the venv made by `ops/test.sh` (`ACCORD_PYTHON`).
enum PythonStripe {
    /// `stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)`.
    static func signatureHeader(payload: String, secret: String, timestamp: Int64) throws -> String {
        let python = try requiredEnvironment("ACCORD_PYTHON", "run the tests with `bash ops/test.sh` (it makes the venv with the stripe package)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            "-c",
            """
            import sys, stripe
            payload = sys.stdin.buffer.read().decode("utf-8")
            print(stripe.WebhookSignature.generate_signature_header(payload, sys.argv[1], int(sys.argv[2])))
            """,
            secret, String(timestamp),
        ]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(payload.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MissingPrerequisite(description: "the venv's python failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Polls `condition` every 100 ms until it holds or `timeout` passes.
func waitUntil(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}
