import ArgumentParser
import Foundation
import Logging
import Runtime
import ServiceLifecycle

/// `accord serve`: everything in one process — projectors, the sync policy, workers and the HTTP server.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run Accord: projectors, the sync policy (reactor), the outbound worker, webhooks, the API and web UI.",
        discussion: "Stops gracefully on SIGINT/SIGTERM. Configuration comes from these options over the environment (see README)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "HTTP host (default: $ACCORD_HOST or 127.0.0.1).") var host: String?
    @Option(help: "HTTP port (default: $ACCORD_PORT or 8080).") var port: Int?
    @Flag(help: "Apply pending database migrations before starting (default: refuse to start on an out-of-date schema).")
    var migrate = false

    func run() async throws {
        let logger = global.makeLogger("accord")
        let configuration = try AppConfiguration.resolve(
            databaseURL: global.databaseURL, host: host, port: port, migrate: migrate ? true : nil, logLevel: global.logLevel)
        logger.info("starting", metadata: ["configuration": "\(configuration)"])
        let services = try AccordServices(configuration: configuration, logger: logger)
        try await services.prepareDatabase()
        try await services.serviceGroup().run()
    }
}
