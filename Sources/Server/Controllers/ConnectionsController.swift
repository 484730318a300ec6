import Connectors
import Credentials
import EventStore
import Foundation
public import Hummingbird

/// Connecting a tenant to e-conomic (tokens) and Stripe (secret key, webhook signing secrets): the API under
/// `/api/v1/connections` and the connections page (`/ui/connections`). Secrets are sealed by the credential store
/// and never shown again; the page shows where each connection points, the webhook URL to paste into Stripe, and
/// the last "test connection".
public struct ConnectionsController: Sendable {
    let dependencies: ControllerDependencies
    let configuration: ServerConfiguration

    /// Makes the controller.
    public init(dependencies: ControllerDependencies, configuration: ServerConfiguration) {
        self.dependencies = dependencies
        self.configuration = configuration
    }

    /// The API routes (on the authenticated `/api/v1` group).
    public func addAPIRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("connections", use: apiStatus)
        group.put("connections/economic", use: apiConnectEconomic)
        group.put("connections/stripe", use: apiConnectStripe)
        group.post("connections/:system/test", use: apiTest)
    }

    /// The page's routes (on the session-authenticated `/ui` group).
    public func addPageRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("connections", use: page)
        group.post("connections/economic", use: pageConnectEconomic)
        group.post("connections/stripe", use: pageConnectStripe)
        group.post("connections/:system/test", use: pageTest)
    }

    var connections: any TenantConnectionsAdmin {
        get throws {
            guard let connections = dependencies.connections else {
                throw APIError(
                    .serviceUnavailable, code: "connections_unavailable",
                    message: "this server cannot store connections (ACCORD_MASTER_KEY is not set)")
            }
            return connections
        }
    }

    func webhookURL(_ tenant: TenantID) -> String { "\(configuration.baseURL)/webhooks/stripe/\(tenant.rawValue)" }

    /// The tenant's connections; stored ones that cannot be opened (a wrong or missing master key) are a 503 that
    /// says so.
    func status(_ tenant: TenantID) async throws -> ConnectionStatus {
        do {
            return try await connections.status(of: tenant, webhookURL: webhookURL(tenant))
        } catch let error as CredentialError {
            throw APIError(.serviceUnavailable, code: "credentials_unreadable", message: error.message)
        }
    }

    // MARK: API

    /// `{"baseURL"?, "appSecretToken", "agreementGrantToken"}`
    struct EconomicInput: Codable {
        var baseURL: String?
        var appSecretToken: String
        var agreementGrantToken: String
    }

    /// `{"apiBase"?, "secretKey", "webhookSecrets"?}`
    struct StripeInput: Codable {
        var apiBase: String?
        var secretKey: String
        var webhookSecrets: [String]?
    }

    @Sendable func apiStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        JSONBody.response(try await status(try context.requireIdentity().tenant))
    }

    @Sendable func apiConnectEconomic(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let input = try await JSONBody.decode(EconomicInput.self, from: request, limit: configuration.maxJSONBodyBytes)
        try await connections.connectEconomic(
            .init(
                baseURL: input.baseURL ?? EconomicClient.Configuration.productionBaseURL, appSecretToken: Secret(input.appSecretToken),
                agreementGrantToken: Secret(input.agreementGrantToken)),
            tenant: tenant)
        return JSONBody.response(try await status(tenant))
    }

    @Sendable func apiConnectStripe(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let input = try await JSONBody.decode(StripeInput.self, from: request, limit: configuration.maxJSONBodyBytes)
        try await connections.connectStripe(
            .init(
                apiBase: input.apiBase ?? StripeConfiguration.defaultAPIBase, secretKey: Secret(input.secretKey),
                webhookSecrets: (input.webhookSecrets ?? []).map(Secret.init)),
            tenant: tenant)
        return JSONBody.response(try await status(tenant))
    }

    @Sendable func apiTest(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        return JSONBody.response(try await connections.test(try context.connectionSystem(), tenant: tenant))
    }

    // MARK: Page

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await render(request, context: context, problems: [:], status: .ok)
    }

    /// The page, with problems next to the form they concern.
    func render(_ request: Request, context: AppRequestContext, problems: [ConnectionSystem: String], status: HTTPResponse.Status) async throws -> Response {
        let identity = try context.requireIdentity()
        let body = Pages.connections(try await self.status(identity.tenant), problems: problems, identity: identity)
        let chrome = Layout.Chrome(identity: identity, section: .connections)
        return HTMLResponse.page(
            title: "Connections", chrome: chrome, body: body, request: request, secureCookies: configuration.secureCookies, status: status)
    }

    @Sendable func pageConnectEconomic(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let form = try await formData(request)
        let economic = TenantConnections.Economic(
            baseURL: form.trimmed("base_url") ?? EconomicClient.Configuration.productionBaseURL,
            appSecretToken: Secret(form["app_secret_token"] ?? ""),
            agreementGrantToken: Secret(form["agreement_grant_token"] ?? ""))
        do {
            try await connections.connectEconomic(economic, tenant: tenant)
        } catch let error as APIError where error.status == .unprocessableContent {
            return try await render(request, context: context, problems: [.economic: error.message], status: .unprocessableContent)
        }
        return HTMLResponse.redirect(to: "/ui/connections#economic")
    }

    @Sendable func pageConnectStripe(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let form = try await formData(request)
        let secrets = form.all("webhook_secret").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        let stripe = TenantConnections.Stripe(
            apiBase: form.trimmed("api_base") ?? StripeConfiguration.defaultAPIBase, secretKey: Secret(form["secret_key"] ?? ""),
            webhookSecrets: secrets.map(Secret.init))
        do {
            try await connections.connectStripe(stripe, tenant: tenant)
        } catch let error as APIError where error.status == .unprocessableContent {
            return try await render(request, context: context, problems: [.stripe: error.message], status: .unprocessableContent)
        }
        return HTMLResponse.redirect(to: "/ui/connections#stripe")
    }

    @Sendable func pageTest(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let system = try context.connectionSystem()
        do {
            _ = try await connections.test(system, tenant: tenant)
        } catch let error as APIError where error.status == .notFound {
            return try await render(request, context: context, problems: [system: "Connect first, then test the connection."], status: .conflict)
        }
        return HTMLResponse.redirect(to: "/ui/connections#\(system.rawValue)")
    }

    func formData(_ request: Request) async throws -> FormData {
        FormData(String(buffer: try await JSONBody.bytes(of: request, limit: configuration.maxFormBodyBytes)))
    }
}

extension AppRequestContext {
    /// The system named by `{system}` of a connection route.
    func connectionSystem() throws -> ConnectionSystem {
        let text = try pathParameter("system")
        guard let system = ConnectionSystem(rawValue: text) else {
            throw APIError.notFound("unknown connection '\(text.prefix(40))': use economic or stripe")
        }
        return system
    }
}
