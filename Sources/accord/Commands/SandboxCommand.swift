import ArgumentParser
import EconomicSandbox
import Foundation
import Hummingbird
import Logging

/// `accord sandbox economic`: a local e-conomic to develop and demo against (see docs/economic-sandbox.md).
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox", abstract: "Run local stand-ins of outside services.", subcommands: [Economic.self])

    struct Economic: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a local e-conomic REST API (customers and reference data, with fault knobs).",
            discussion: "Tokens default to sandbox-app-secret / sandbox-agreement-grant. See docs/economic-sandbox.md.")

        @Option(help: "Interface to listen on.") var host = "127.0.0.1"
        @Option(help: "Port (0 picks a free one).") var port = 8089
        @Option(help: "Write the bound port to this file once listening (useful with --port 0).") var portFile: String?
        @Option(help: "Starting data: demo (reference data and a few customers) or reference (reference data, no customers).")
        var seed = "demo"
        @Option(help: "Keep the data in this JSON file across restarts.") var persist: String?
        @Option(help: "The X-AppSecretToken to accept.") var appSecretToken = SandboxConfiguration.defaultAppSecretToken
        @Option(help: "The X-AgreementGrantToken to accept.") var agreementGrantToken = SandboxConfiguration.defaultAgreementGrantToken
        @Option(help: "Log level.") var logLevel: Logger.Level = .info

        func validate() throws {
            guard ["demo", "reference"].contains(seed) else { throw ValidationError("--seed must be demo or reference") }
            guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        }

        func run() async throws {
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            var logger = Logger(label: "accord.sandbox")
            logger.logLevel = logLevel
            let starting: SandboxSeed = seed == "demo" ? .demo : .referenceData
            let configuration = SandboxConfiguration(
                host: host, port: port, appSecretToken: appSecretToken, agreementGrantToken: agreementGrantToken, seed: starting,
                persistencePath: persist)
            let portFile = self.portFile
            let app = try await buildSandboxApplication(configuration: configuration, logger: logger) { bound in
                if let portFile { try? String(bound).write(toFile: portFile, atomically: true, encoding: .utf8) }
                FileHandle.standardError.write(Data("e-conomic sandbox listening on http://\(configuration.host):\(bound)\n".utf8))
            }
            try await app.runService()
        }
    }
}
