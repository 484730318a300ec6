import ArgumentParser
import Credentials
import EconomicSandbox
import Foundation
import Hummingbird
import Logging
import PGClient
import Runtime
import ServiceLifecycle

/// `accord demo`: a full sync on embedded defaults — the e-conomic sandbox in-process, localstripe (started by
/// `ops/demo.sh`), a throwaway PostgreSQL, demo customers on both sides, and `accord serve`'s services — then a
/// report of what happened. Runs until Ctrl-C.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a demo sync: e-conomic sandbox, localstripe demo customers, Accord, and a report. Stops on Ctrl-C.",
        discussion: "Normally started by ops/demo.sh, which provides PostgreSQL (DATABASE_URL) and localstripe (STRIPE_API_BASE).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "HTTP port for Accord's API, web UI and webhooks (0 picks a free one).") var port = 8080
    @Option(help: "localstripe's base URL (default: $STRIPE_API_BASE).") var stripeAPIBase: String?

    func run() async throws {
        let logger = global.makeLogger("accord.demo")
        guard let stripeBase = stripeAPIBase ?? ProcessInfo.processInfo.environment["STRIPE_API_BASE"] else {
            throw ValidationError("no localstripe: pass --stripe-api-base or set STRIPE_API_BASE (ops/demo.sh starts one)")
        }
        var environment = ProcessInfo.processInfo.environment
        if environment["ACCORD_MASTER_KEY"] == nil {
            environment["ACCORD_MASTER_KEY"] = MasterKey.generate().exportBase64()
            logger.notice("no ACCORD_MASTER_KEY set: using a fresh key for this demo run only")
        }
        if environment["ACCORD_HOST"] == nil && environment["ACCORD_INSECURE_COOKIES"] == nil {
            environment["ACCORD_INSECURE_COOKIES"] = "true"  // the demo serves plain HTTP on loopback
        }
        let configuration = try AppConfiguration.resolve(
            databaseURL: global.databaseURL, port: port, migrate: true, logLevel: global.logLevel, environment: environment)
        let services = try AccordServices(configuration: configuration, environment: environment, logger: logger)
        try await services.prepareDatabase()

        let (sandboxPorts, sandboxPort) = AsyncStream.makeStream(of: Int.self)
        let (serverPorts, serverPort) = AsyncStream.makeStream(of: Int.self)
        let sandbox = try await buildSandboxApplication(configuration: SandboxConfiguration(port: 0, seed: .demo), logger: quiet(logger)) {
            sandboxPort.yield($0)
        }
        let script = DemoScript(
            services: services, stripeAPIBase: stripeBase, sandboxPorts: sandboxPorts, serverPorts: serverPorts, logger: logger)
        try await services.serviceGroup(onServerRunning: { serverPort.yield($0) }, additional: [sandbox, script]).run()
    }

    private func quiet(_ logger: Logger) -> Logger {
        var logger = logger
        logger.logLevel = max(logger.logLevel, .warning)
        return logger
    }
}
