public import AsyncHTTPClient
import Connectors
public import Credentials
public import EventStore
import Foundation
import HTTPTypes
import Synchronization
public import SyncDomain

/// ``TenantConnectionsAdmin`` over the credential store: connecting stores through
/// ``Credentials/CredentialStore/setEconomic(_:for:)`` and ``Credentials/CredentialStore/setStripe(_:for:)``
/// (the same sealing as `accord tenant connect`); testing reads the e-conomic agreement (`GET /self`) or one
/// Stripe customer through the stored connection. The last test of each connection is remembered in memory, and
/// forgotten when the connection changes.
public final class CredentialConnections: TenantConnectionsAdmin {
    private let store: CredentialStore
    private let httpClient: HTTPClient
    private let checks = Mutex<[TenantID: [ConnectionSystem: ConnectionStatus.Check]]>([:])

    /// Makes the admin over a store.
    /// - Parameter httpClient: the client tests are sent with.
    public init(store: CredentialStore, httpClient: HTTPClient = .shared) {
        self.store = store
        self.httpClient = httpClient
    }

    /// The stored connections (their secrets opened only to count the webhook secrets) and the last tests.
    public func status(of tenant: TenantID, webhookURL: String) async throws -> ConnectionStatus {
        let stored = try await store.load(tenant)
        let checks = checks.withLock { $0[tenant] ?? [:] }
        return ConnectionStatus(
            economic: .init(connected: stored?.economic != nil, baseURL: stored?.economic?.baseURL, lastCheck: checks[.economic]),
            stripe: .init(
                connected: stored?.stripe != nil, apiBase: stored?.stripe?.apiBase, webhookSecrets: stored?.stripe?.webhookSecrets.count ?? 0,
                webhookURL: webhookURL, lastCheck: checks[.stripe]),
            updatedAt: stored?.updatedAt)
    }

    /// Checks and stores the e-conomic connection; its last test is forgotten.
    public func connectEconomic(_ economic: TenantConnections.Economic, tenant: TenantID) async throws {
        try Self.check(TenantConnections(tenant: tenant, economic: economic))
        try await store.setEconomic(economic, for: tenant)
        checks.withLock { $0[tenant]?[.economic] = nil }
    }

    /// Checks and stores the Stripe connection; its last test is forgotten.
    public func connectStripe(_ stripe: TenantConnections.Stripe, tenant: TenantID) async throws {
        try Self.check(TenantConnections(tenant: tenant, stripe: stripe))
        try await store.setStripe(stripe, for: tenant)
        checks.withLock { $0[tenant]?[.stripe] = nil }
    }

    /// Reads the agreement (e-conomic) or one customer (Stripe) through the stored connection.
    public func test(_ system: ConnectionSystem, tenant: TenantID) async throws -> ConnectionStatus.Check {
        let stored = try await store.load(tenant)
        let check: ConnectionStatus.Check
        switch system {
        case .economic:
            guard let economic = stored?.economic else { throw APIError.notFound("e-conomic is not connected", code: "not_connected") }
            do {
                let agreement = try await EconomicClient(configuration: economic.clientConfiguration, httpClient: httpClient).selfInfo()
                let company = agreement.company?.name.map { ", \($0)" } ?? ""
                check = .init(ok: true, at: Date(), message: "Connected to e-conomic agreement \(agreement.agreementNumber)\(company).")
            } catch {
                check = .init(ok: false, at: Date(), message: String(describing: error))
            }
        case .stripe:
            guard let stripe = stored?.stripe else { throw APIError.notFound("Stripe is not connected", code: "not_connected") }
            do {
                _ = try await StripeClient(configuration: stripe.clientConfiguration, httpClient: httpClient).customers(limit: 1)
                check = .init(ok: true, at: Date(), message: "Connected to Stripe: the secret key can read customers.")
            } catch {
                check = .init(ok: false, at: Date(), message: String(describing: error))
            }
        }
        checks.withLock { $0[tenant, default: [:]][system] = check }
        return check
    }

    /// e-conomic's lists for new customers' defaults, read through the stored connection.
    public func economicChoices(tenant: TenantID) async throws -> EconomicChoicesState {
        guard let economic = try await store.load(tenant)?.economic else { return .notConnected }
        let client = EconomicClient(configuration: Self.interactive(economic, timeout: .seconds(5)), httpClient: httpClient)
        do {
            async let terms = client.paymentTerms()
            async let groups = client.customerGroups()
            async let zones = client.vatZones()
            async let currencies = client.currencies()
            async let layouts = client.layouts()
            return .loaded(
                EconomicChoices(
                    paymentTerms: try await terms.map { .init(value: String($0.paymentTermsNumber), label: "\($0.paymentTermsNumber) — \($0.name)") },
                    customerGroups: try await groups.map { .init(value: String($0.customerGroupNumber), label: "\($0.customerGroupNumber) — \($0.name)") },
                    vatZones: try await zones.map {
                        .init(value: String($0.vatZoneNumber), label: "\($0.vatZoneNumber) — \($0.name)", usable: $0.enabledForCustomer != false)
                    },
                    currencies: try await currencies.map { currency in
                        .init(value: currency.code, label: currency.name.map { "\(currency.code) — \($0)" } ?? currency.code)
                    },
                    layouts: try await layouts.map { .init(value: String($0.layoutNumber), label: "\($0.layoutNumber) — \($0.name)") }))
        } catch {
            return .unavailable(String(describing: error))
        }
    }

    /// Checks defaults with ``Connectors/EconomicClient/validateDefaults(_:)`` through the stored connection.
    public func checkDefaults(_ defaults: NewCustomerDefaults, tenant: TenantID) async throws -> [String] {
        guard let economic = try await store.load(tenant)?.economic else { return [] }
        var wanted = EconomicCustomerDefaults(
            paymentTerms: defaults.paymentTerms, customerGroup: defaults.customerGroup, currency: defaults.currency, layout: defaults.layout)
        switch defaults.vatZone {
        case .fixed(let zone): wanted.vatZones = ["": zone]
        case .byCountry(let domestic, let eu, let abroad): wanted.vatZones = ["domestic": domestic, "eu": eu, "abroad": abroad]
        }
        do {
            return try await EconomicClient(configuration: Self.interactive(economic, timeout: .seconds(10)), httpClient: httpClient)
                .validateDefaults(wanted)
                .map(Self.sentence)
        } catch {
            throw APIError(
                .badGateway, code: "economic_unavailable",
                message: "The defaults could not be checked against e-conomic's lists (\(error)); nothing was saved. Try again.")
        }
    }

    /// The connection's client settings for a person waiting on a page: a shorter deadline than the workers' (an
    /// unreachable e-conomic is retried until the deadline).
    static func interactive(_ economic: TenantConnections.Economic, timeout: Duration) -> EconomicClient.Configuration {
        var configuration = economic.clientConfiguration
        configuration.timeout = timeout
        return configuration
    }

    /// A problem as a bookkeeper reads it, e.g. "Payment terms 42: no payment terms with this number; e-conomic has 1 — Netto 8 dage, …".
    static func sentence(_ problem: EconomicDefaultsProblem) -> String {
        let names = [
            "paymentTerms": "Payment terms", "customerGroup": "Customer group", "vatZone": "VAT zone", "vatZone.domestic": "VAT zone (domestic)",
            "vatZone.eu": "VAT zone (EU)", "vatZone.abroad": "VAT zone (abroad)", "currency": "Currency", "layout": "Invoice layout",
        ]
        let offered = problem.available.isEmpty ? "" : "; e-conomic has \(problem.available.joined(separator: ", "))"
        return "\(names[problem.field] ?? problem.field) \(problem.value): \(problem.reason)\(offered)."
    }

    /// Refuses incomplete or malformed connection details with every problem at once (the store names only that
    /// they are invalid).
    static func check(_ connections: TenantConnections) throws {
        let problems = connections.problems
        guard problems.isEmpty else {
            throw APIError.invalidInput(problems.map { Server.sentence($0) }.joined(separator: " "))
        }
    }
}
