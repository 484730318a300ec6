import Foundation
import PGClient
import PostgresTestSupport

/// The `accord` executable of this build, run as a person would run it, against one test database.
struct AccordCLI: Sendable {
    /// What a run printed and how it ended.
    struct Run: Sendable, CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String

        var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
    }

    let executable: URL
    let environment: [String: String]

    /// The executable next to the test bundle (`swift build --build-tests` builds both), on `database`, with its own
    /// master key.
    init(database: TestDatabase, masterKey: String) throws {
        let directory =
            Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent()
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        executable = directory.appendingPathComponent("accord")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw MissingPrerequisite(
                description: "no accord executable at \(executable.path): build with `swift build --build-tests` (ops/test.sh does)")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = try Self.url(of: database)
        environment["ACCORD_MASTER_KEY"] = masterKey
        environment["ACCORD_MIGRATIONS_DIR"] = Self.migrations.path
        self.environment = environment
    }

    /// `db/migrations` of this checkout.
    static var migrations: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("db/migrations", isDirectory: true)
    }

    /// The cluster's URL (`DATABASE_URL`) pointed at the test's database.
    static func url(of database: TestDatabase) throws -> String {
        guard let base = ProcessInfo.processInfo.environment["DATABASE_URL"], !base.isEmpty else {
            throw MissingPrerequisite(description: "DATABASE_URL is not set: run the tests with ops/test.sh")
        }
        guard base.hasPrefix("postgres"), var components = URLComponents(string: base) else { return base + " dbname=\(database.name)" }
        components.path = "/" + database.name
        guard let url = components.string else { throw MissingPrerequisite(description: "DATABASE_URL is not a URL libpq and Foundation agree on") }
        return url
    }

    /// Runs `accord <arguments>` to the end.
    func callAsFunction(_ arguments: String...) async throws -> Run {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accord-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout")
        let err = directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Run(
            status: status, stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }
}
