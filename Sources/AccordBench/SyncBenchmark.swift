import ArgumentParser
import Connectors
import Credentials
import EconomicSandbox
import EventStore
import Foundation
import Ingest
import Logging
import Outbound
import PGClient
import Runtime
import Server
import ServiceLifecycle
import SyncDomain
import SyncEngine

/// `accord-bench sync`: end-to-end throughput of the Stripe → e-conomic flow over real HTTP. Customers are created
/// in localstripe while a whole Accord process runs (`accord serve`'s service group: webhook inbox, projectors,
/// reactor, outbound worker) next to an in-process e-conomic sandbox; the clock stops when every customer exists
/// once in the sandbox and its number is written back to Stripe. Two baselines from the same run: the same
/// number of creates sent straight to the sandbox with `EconomicClient` (the sink alone), and, afterwards,
/// localstripe creating the same number of customers with Accord's webhook switched off (the source alone).
struct SyncBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "End-to-end Stripe → e-conomic customers/s against direct creates and localstripe alone.")

    @Option(name: .customLong("database-url"), help: "A fresh database (ops/bench/sync.sh makes one).")
    var databaseURL: String

    @Option(name: .customLong("stripe-api-base"), help: "localstripe's base URL (ops/bench/sync.sh starts one).")
    var stripeAPIBase: String

    @Option(help: "Stripe customers to sync.")
    var customers = 1_000

    @Option(help: "Requests in flight: the outbound worker's slots, and the baselines' concurrent calls.")
    var concurrency = 8

    @Option(help: "e-conomic calls per second per tenant (production default 1; the sandbox has no limit).")
    var economicRate = 1_000.0

    @Option(help: "Stripe calls per second per tenant (production default 20, under Stripe's own limits; localstripe has none).")
    var stripeRate = 1_000.0

    @Option(help: "Seconds between the catch-ups from Stripe's events list (accord serve: 60).")
    var catchUpInterval = 5.0

    static let stripeKey = "sk_test_accord_bench"
    static let writeBackKey = "economic_customer_number"

    func run() async throws {
        var logger = Logger(label: "accord.bench")
        logger.logLevel = .warning
        var environment = ProcessInfo.processInfo.environment
        environment["ACCORD_MASTER_KEY"] = MasterKey.generate().exportBase64()
        let configuration = AppConfiguration(
            database: try benchDatabase(databaseURL), databaseConnections: 16, port: 0,
            migrate: true, logLevel: .warning, economicRequestsPerSecond: economicRate)
        // One tenant: its cap of requests in flight is the worker's whole concurrency (a lower cap serves fairness
        // between tenants, which this benchmark does not measure).
        let worker = OutboundWorkerConfiguration(
            maxConcurrentRequests: concurrency, maxInFlightPerTenant: concurrency,
            economicRateLimit: RateLimit(requestsPerSecond: economicRate, burst: max(1, Int(economicRate / 5))),
            stripeRateLimit: RateLimit(requestsPerSecond: stripeRate, burst: max(1, Int(stripeRate / 5))),
            pollInterval: .milliseconds(200))
        // localstripe sends a burst of 1,000 deliveries, each on a connection of its own, and never retries one the
        // edge refused (the connection cap): the catch-up from the events list brings those, and at accord serve's
        // interval the run would measure that minute rather than the sync. localstripe is local: a 5 s overlap.
        let catchUp = StripeCatchUp.Configuration(interval: .milliseconds(Int64(catchUpInterval * 1000)), overlap: .seconds(5))
        let services = try AccordServices(
            configuration: configuration, environment: environment, worker: worker, catchUp: catchUp, logger: logger)
        try await services.prepareDatabase()

        try await runBesideSandbox(services, logger: logger) { sandboxURL, accordURL in
            try await measureAll(services: services, sandboxURL: sandboxURL, accordURL: accordURL)
        }
    }

    private func measureAll(services: AccordServices, sandboxURL: String, accordURL: String) async throws {
        print("Accord end-to-end sync benchmark — \(try await serverSettings(services.pool))")
        print("\(thousands(customers)) Stripe customers; \(concurrency) requests in flight; rate limits per tenant: e-conomic \(economicRate)/s, Stripe \(stripeRate)/s")
        let economic = EconomicClient(
            configuration: .init(
                baseURL: sandboxURL, appSecretToken: SandboxConfiguration.defaultAppSecretToken,
                agreementGrantToken: SandboxConfiguration.defaultAgreementGrantToken))
        let stripe = StripeClient(configuration: StripeConfiguration(apiBase: stripeAPIBase, secretKey: Self.stripeKey, timeout: .seconds(60)))

        // Baseline 1, the sink alone: the creates Accord will send, straight to the sandbox.
        let sink = try await measure {
            try await concurrently(customers, limit: concurrency) { index in
                var customer = EconomicCustomer(name: "Direct \(index)", currency: "DKK", customerGroup: 1, paymentTerms: 1, vatZone: 1, layout: 19)
                customer.email = "direct-\(index)@baseline.example"
                _ = try await economic.createCustomer(customer)
            }
        }.1
        report("baseline: e-conomic creates straight to the sandbox", rate(customers, sink), "cust/s", "\(customers) creates in \(seconds(sink))")

        // Accord: tenant, connections, settings, webhook; then Stripe customers whose webhooks drive the sync.
        let tenant = try TenantID("bench")
        try await services.setUpLocalTenant(
            tenant,
            connections: .init(
                economicBaseURL: sandboxURL, economicAppSecretToken: SandboxConfiguration.defaultAppSecretToken,
                economicAgreementGrantToken: SandboxConfiguration.defaultAgreementGrantToken, stripeAPIBase: stripeAPIBase,
                stripeSecretKey: Self.stripeKey),
            accordURL: accordURL, webhookID: "accord-bench"
        ) { settings in settings.applyDemoRules(writeBackKey: Self.writeBackKey) }
        let countries = ["DK", "DE", "SE", "US", "NO"]
        let clock = ContinuousClock()
        let start = clock.now
        let creating = Task {
            let ids = try await concurrently(customers, limit: concurrency) { index in
                try await stripe.createCustomer(
                    fields: [
                        .name: "Customer \(index) ApS", .email: "customer-\(index)@sync.example", .addressCountry: countries[index % countries.count],
                    ]
                ).id
            }
            return (ids, clock.now - start)
        }
        var lastReport = clock.now
        var stripeIDs: [String]?
        while true {
            // Done when every customer's e-conomic create and its number's write-back to Stripe have succeeded.
            if stripeIDs == nil, try await createdInEconomic(services) >= customers {
                stripeIDs = try await creating.value.0
            }
            if let stripeIDs, try await writtenBackToStripe(services, ids: stripeIDs) >= customers { break }
            if clock.now - lastReport >= .seconds(5) {
                lastReport = clock.now
                let line = "  … \(seconds(clock.now - start)): \(try await createdInEconomic(services)) of \(customers) created in e-conomic\n"
                FileHandle.standardError.write(Data(line.utf8))
            }
            guard clock.now - start < .seconds(3_600) else { throw ValidationError("the sync did not finish within an hour") }
            try await Task.sleep(for: .milliseconds(100))
        }
        let synced = clock.now - start
        let created = try await creating.value.1

        // Exactly one e-conomic customer per Stripe customer, and every number written back.
        let inSandbox = try await economic.allCustomers().filter { $0.email?.hasSuffix("@sync.example") == true }
        let distinct = Set(inSandbox.compactMap(\.email)).count
        guard inSandbox.count == customers, distinct == customers else {
            throw ValidationError("the sandbox holds \(inSandbox.count) customers (\(distinct) distinct e-mails), expected \(customers)")
        }
        report(
            "Accord: Stripe customers → webhooks → e-conomic + write-back", rate(customers, synced), "cust/s",
            "\(customers) in \(seconds(synced)), of which creating them in localstripe took \(seconds(created))")
        report("ratio Accord / e-conomic creates alone", String(format: "%.3f", sink.seconds / synced.seconds), "", "end-to-end rate / sink rate")
        print("checked: \(inSandbox.count) e-conomic customers, none twice; every number written back to Stripe")
        print("outbound worker, where its time went (each step: times taken × mean = total; slots busy = total / run time):")
        let registry = services.server.metrics.registry
        StepReport(registry: registry, histogram: "accord_outbound_step_seconds")
            .printable(OutboundMetrics.Step.allCases.map(\.rawValue), wall: synced).forEach { print($0) }
        print("reactor, where its time went (each step: times taken × mean = total; busy = total / run time):")
        StepReport(registry: registry, histogram: "accord_reactor_step_seconds")
            .printable(ReactorMetrics.Step.allCases.map(\.rawValue), wall: synced).forEach { print($0) }
        let paths = try await deliveryPaths(services)
        print(
            "deliveries: \(paths["webhook", default: 0]) by webhook, \(paths["catch_up", default: 0]) by the catch-up from Stripe's events list "
                + "(every \(catchUpInterval) s)")

        // Baseline 2, the source alone: localstripe creating customers once Accord's webhook is switched off.
        try await LocalStripeAdmin.disableWebhook(apiBase: stripeAPIBase, id: "accord-bench")
        let source = try await measure {
            try await concurrently(customers, limit: concurrency) { index in
                _ = try await stripe.createCustomer(fields: [.name: "Source \(index)", .email: "source-\(index)@baseline.example"])
            }
        }.1
        report(
            "baseline: localstripe creating customers (no webhooks)", rate(customers, source), "cust/s", "\(customers) creates in \(seconds(source))")

        report("ratio Accord / localstripe alone", String(format: "%.3f", source.seconds / synced.seconds), "", "end-to-end rate / source rate")
    }

    /// The webhook inbox's deliveries by how they came in (a webhook, or the catch-up).
    private func deliveryPaths(_ services: AccordServices) async throws -> [String: Int] {
        let rows = try await services.pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT received_via, count(*)::int FROM webhook_inbox GROUP BY 1").decode((String, Int).self)
        }
        return Dictionary(rows, uniquingKeysWith: +)
    }

    /// e-conomic creates of this run's customers that succeeded.
    private func createdInEconomic(_ services: AccordServices) async throws -> Int {
        try await services.pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                SELECT count(*) FROM outbound_requests
                WHERE kind = 'economic_create' AND status = 'succeeded' AND payload->>'email' LIKE '%@sync.example'
                """
            ).singleValue(Int.self) ?? 0
        }
    }

    /// Write-backs of e-conomic numbers to these Stripe customers that succeeded.
    private func writtenBackToStripe(_ services: AccordServices, ids: [String]) async throws -> Int {
        try await services.pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                SELECT count(DISTINCT stripe_customer_id) FROM outbound_requests
                WHERE kind = 'stripe_metadata' AND status = 'succeeded' AND stripe_customer_id = ANY(\(ids)::text[])
                """
            ).singleValue(Int.self) ?? 0
        }
    }
}
