public import Hummingbird
public import Logging
import NIOCore

/// Builds the sandbox: a Hummingbird application serving e-conomic's legacy REST customer endpoints plus the
/// `/_sandbox/…` admin API. Run it with `try await app.runService()` (signals) or `try await app.run()`.
///
/// - Parameters:
///   - configuration: Address, tokens, knobs, seed, numbering and persistence.
///   - logger: The application's logger.
///   - onServerRunning: Called with the bound port once the server listens (useful with `port: 0`).
/// - Throws: When the persisted state file exists but cannot be read.
public func buildSandboxApplication(
    configuration: SandboxConfiguration,
    logger: Logger,
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let store = try SandboxStore(configuration: configuration, logger: logger)
    let router = buildSandboxRouter(store: store, configuration: configuration)
    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "accord-economic-sandbox"
        ),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}

/// The sandbox's router: middlewares (stats, errors, tokens, knobs) and every route.
func buildSandboxRouter(store: SandboxStore, configuration: SandboxConfiguration) -> Router<SandboxRequestContext> {
    let router = Router(context: SandboxRequestContext.self)
    router.add(middleware: StatsMiddleware(store: store))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: AuthMiddleware(appSecretToken: configuration.appSecretToken, agreementGrantToken: configuration.agreementGrantToken))
    router.add(middleware: FaultMiddleware(store: store))
    CustomersController(store: store, publicBaseURL: configuration.publicBaseURL).addRoutes(to: router)
    ReferenceController(store: store, publicBaseURL: configuration.publicBaseURL).addRoutes(to: router)
    AdminController(store: store, configuration: configuration).addRoutes(to: router)
    return router
}
