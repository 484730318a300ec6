import AsyncHTTPClient
import Connectors
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SandboxTestSupport
import Testing

/// A test prerequisite that is missing: the test fails with this message (it is never skipped silently).
struct MissingPrerequisite: Error, CustomStringConvertible {
    var description: String
}

/// Reads a required environment variable.
func requiredEnvironment(_ name: String, _ hint: String) throws -> String {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
        throw MissingPrerequisite(description: "\(name) is not set: \(hint)")
    }
    return value
}

/// The localstripe started by `ops/test.sh` (`STRIPE_API_BASE`). Its state is shared by every test running in
/// parallel and is never wiped: tests use unique emails and only look at what they created.
enum LocalStripe {
    static let secretKey = "sk_test_accord_connectors"

    static func baseURL() throws -> String {
        try requiredEnvironment(
            "STRIPE_API_BASE",
            "run the tests with `bash ops/test.sh --filter ConnectorsTests`, or start localstripe with `ops/localstripe.sh start DIR` and export STRIPE_API_BASE=$(ops/localstripe.sh url DIR)"
        )
    }

    static func client(secretKey: String = LocalStripe.secretKey, timeout: Duration = .seconds(10)) throws -> StripeClient {
        StripeClient(configuration: StripeConfiguration(apiBase: try baseURL(), secretKey: secretKey, timeout: timeout))
    }

    /// An email no other test uses.
    static func uniqueEmail(_ label: String) -> String {
        "\(label)-\(UUID().uuidString.lowercased().prefix(12))@accord.test"
    }

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

/// The official Python `stripe` package in the venv made by `ensure_python_tools` (`ACCORD_PYTHON`).
enum PythonStripe {
    static func python() throws -> String {
        try requiredEnvironment(
            "ACCORD_PYTHON",
            "run the tests with `bash ops/test.sh`, or `source ops/lib/environment.sh && ensure_python_tools` and export ACCORD_PYTHON")
    }

    /// `stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)`.
    static func signatureHeader(payload: String, secret: String, timestamp: Int64) throws -> String {
        try run(
            """
            import sys, stripe
            payload = sys.stdin.buffer.read().decode("utf-8")
            print(stripe.WebhookSignature.generate_signature_header(payload, sys.argv[1], int(sys.argv[2])))
            """, arguments: [secret, String(timestamp)], input: payload)
    }

    /// `stripe.WebhookSignature.verify_header(payload, header, secret, tolerance)`: `true`, or `false` when it raises
    /// `SignatureVerificationError`.
    static func verifyHeader(payload: String, header: String, secret: String, tolerance: Int) throws -> Bool {
        let answer = try run(
            """
            import sys, stripe
            payload = sys.stdin.buffer.read().decode("utf-8")
            try:
                stripe.WebhookSignature.verify_header(payload, sys.argv[1], sys.argv[2], int(sys.argv[3]))
                print("ok")
            except stripe.SignatureVerificationError as error:
                print("refused")
            """, arguments: [header, secret, String(tolerance)], input: payload)
        return answer == "ok"
    }

    /// Runs a Python script with arguments and standard input; returns standard output without the final newline.
    static func run(_ script: String, arguments: [String], input: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try python())
        process.arguments = ["-c", script] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MissingPrerequisite(
                description: "the venv's python failed (\(process.terminationStatus)): \(String(decoding: errors, as: UTF8.self))")
        }
        var text = String(decoding: output, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}

/// Runs a Hummingbird server on 127.0.0.1 with a free port for the duration of `body`, answering every
/// request with `handler`.
func withTestServer<Result: Sendable>(
    _ handler: @escaping @Sendable (Request, ByteBuffer) async throws -> Response,
    _ body: (_ baseURL: String) async throws -> Result
) async throws -> Result {
    let router = Router()
    let respond: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
        var request = request
        let bytes = try await request.collectBody(upTo: 4 << 20)
        return try await handler(request, bytes)
    }
    for method in [HTTPRequest.Method.get, .post, .delete] {
        router.on("/**", method: method, use: respond)
    }
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router,
        configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: "accord-test"),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        },
        logger: Logger(label: "accord.test-server", factory: { _ in SwiftLogNoOpLogHandler() })
    )
    return try await withServices([app], logger: app.logger) {
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            throw MissingPrerequisite(description: "the test server did not start")
        }
        return try await body("http://127.0.0.1:\(port)")
    }
}

/// A JSON response.
func jsonResponse(_ status: HTTPResponse.Status = .ok, _ json: String, headers: [(String, String)] = []) -> Response {
    var fields: HTTPFields = [.contentType: "application/json"]
    for (name, value) in headers { fields[.init(name)!] = value }
    return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: json)))
}

/// A header's value by name (case-insensitive).
func header(_ name: String, in request: Request) -> String? {
    request.headers.first { $0.name.canonicalName == name.lowercased() }?.value
}

/// Polls `condition` every 100 ms until it holds or `timeout` passes.
func waitUntil(timeout: Duration = .seconds(20), _ condition: () async -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return await condition()
}
