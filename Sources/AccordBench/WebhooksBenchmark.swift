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

/// `accord-bench webhooks`: the edge under abuse. A whole `accord serve` (service group, rate limits on with their
/// defaults) runs next to an in-process e-conomic sandbox; signed Stripe `customer.created` deliveries arrive at a
/// steady rate, each for a customer that exists in localstripe (the inbox re-fetches it). Per delivery two latencies:
/// answered (sent → 200, the edge) and recorded (sent → the customer's observation in the log: verified, queued,
/// read back from Stripe, appended — the workers behind the edge). Nothing may be lost: every delivery answered 200
/// and recorded once. Two runs: alone (the baseline), then with a concurrent flood of forged webhooks (bad
/// signatures, made-up tenant ids) and API requests with bad keys. Printed: p50/p99 of both latencies in both runs,
/// the flood's answers, the ratios, and the workers' lag (the most any follower lagged and the inbox backlog, from
/// `/metrics` once a second). The tenant creates partners by hand, so the runs measure the edge and the workers that
/// take deliveries in, not e-conomic's pace (`ops/bench/sync.sh` measures Stripe → e-conomic). Loopback only; every
/// sender is bounded in count, rate and time.
struct WebhooksBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Signed webhooks answered and recorded, alone and under a flood of forged webhooks and bad API keys.")

    @Option(name: .customLong("database-url"), help: "A fresh database, as the role Accord runs as (ops/bench/webhooks.sh makes one).")
    var databaseURL: String

    @Option(name: .customLong("owner-url"), help: "The same database as the owner role, to migrate it first (else Accord migrates it).")
    var ownerURL: String?

    @Option(name: .customLong("stripe-api-base"), help: "localstripe's base URL (ops/bench/webhooks.sh starts one).")
    var stripeAPIBase: String

    @Option(name: .customLong("rate"), help: "Signed webhooks per second.")
    var webhooksPerSecond = 200.0

    @Option(help: "Seconds each run sends for.")
    var duration = 60.0

    @Option(help: "Forged webhooks per second, and bad-key API requests per second, during the second run.")
    var floodRate = 2_000.0

    @Option(help: "Bad-key API requests per second during the second run, when not --flood-rate (0: forged webhooks only).")
    var apiFloodRate: Double?

    @Option(help: "The most flood requests in flight at once per kind (a send due beyond it is skipped and counted).")
    var floodInFlight = 256

    @Option(help: "Seconds to wait after a run for the last deliveries to be recorded.")
    var settle = 300.0

    /// The catch-up from Stripe's events list as in `accord serve`, with a 5 s overlap instead of 5 minutes: localstripe
    /// runs on this machine (no clock skew, events listed at once), and the deliveries are the benchmark's own, not
    /// localstripe's events, which the catch-up would otherwise list as second deliveries of the same customers.
    static let catchUp = StripeCatchUp.Configuration(overlap: .seconds(5))

    static let stripeKey = "sk_test_accord_bench"
    static let webhookSecret = "whsec_accord_bench_webhooks"

    func run() async throws {
        guard webhooksPerSecond > 0, duration > 0, floodRate >= 0, webhooksPerSecond * duration <= 50_000, floodRate * duration <= 500_000,
            (apiFloodRate ?? 0) >= 0, (apiFloodRate ?? 0) * duration <= 500_000
        else {
            throw ValidationError("rate × duration must be at most 50,000 deliveries, and the flood at most 500,000 requests")
        }
        var logger = Logger(label: "accord.bench")
        logger.logLevel = .warning
        var environment = ProcessInfo.processInfo.environment
        environment["ACCORD_MASTER_KEY"] = MasterKey.generate().exportBase64()
        if let ownerURL {
            let owner = PGConnectionPool(
                configuration: try benchDatabase(ownerURL), maxConnections: 1, logger: logger)
            try await Migrator(migrations: try Migration.load(from: try MigrationsDirectory.locate()), logger: logger).migrate(pool: owner)
            await owner.shutdown()
        }
        let configuration = AppConfiguration(
            database: try benchDatabase(databaseURL), databaseConnections: 16, port: 0,
            migrate: ownerURL == nil, logLevel: .warning, economicRequestsPerSecond: 1_000)
        let worker = OutboundWorkerConfiguration(
            maxConcurrentRequests: 16, maxInFlightPerTenant: 16, economicRateLimit: RateLimit(requestsPerSecond: 1_000, burst: 200),
            pollInterval: .milliseconds(200))
        let services = try AccordServices(
            configuration: configuration, environment: environment, worker: worker, catchUp: Self.catchUp, logger: logger)
        try await services.prepareDatabase()

        try await runBesideSandbox(services, logger: logger) { sandboxURL, accordURL in
            try await measureAll(services: services, sandboxURL: sandboxURL, accordURL: accordURL)
        }
    }

    private func measureAll(services: AccordServices, sandboxURL: String, accordURL: String) async throws {
        let perRun = Int(webhooksPerSecond * duration)
        print("Accord webhooks benchmark — \(try await serverSettings(services.pool))")
        print(
            "\(webhooksPerSecond)/s signed webhooks for \(duration) s per run (\(perRun) each); flood: \(floodRate)/s forged webhooks + \(apiFloodRate ?? floodRate)/s bad-key "
                + "API requests; edge limits \(services.configuration.edgeLimits.perClient.map(\.description) ?? "off") per client, "
                + "\(services.configuration.edgeLimits.webhooksPerTenant.map(\.description) ?? "off") webhooks per tenant")

        // The customers the deliveries are about, made in localstripe before the tenant is connected (so that the
        // catch-up from Stripe's events list, which starts at the connection, does not deliver them too).
        let stripe = StripeClient(configuration: StripeConfiguration(apiBase: stripeAPIBase, secretKey: Self.stripeKey, timeout: .seconds(60)))
        let (ids, made) = try await measure {
            try await concurrently(perRun * 2, limit: 16) { index in
                try await stripe.createCustomer(fields: [.name: "Webhook \(index) ApS", .email: Self.email(index)]).id
            }
        }
        report("setup: customers made in localstripe", rate(perRun * 2, made), "cust/s", "\(perRun * 2) in \(seconds(made))")
        // The catch-up's first read starts at the connection minus its overlap: past the overlap, the setup's own
        // `customer.created` events are not listed again as deliveries of these customers.
        try await Task.sleep(for: Self.catchUp.overlap + .seconds(1))

        let tenant = try TenantID("bench")
        try await TenantDirectory(pool: services.pool).add(tenant, name: "Webhooks benchmark")
        try await services.credentials.save(
            TenantConnections(
                tenant: tenant,
                economic: .init(
                    baseURL: sandboxURL, appSecretToken: Secret(SandboxConfiguration.defaultAppSecretToken),
                    agreementGrantToken: Secret(SandboxConfiguration.defaultAgreementGrantToken)),
                stripe: .init(apiBase: stripeAPIBase, secretKey: Secret(Self.stripeKey), webhookSecrets: [Secret(Self.webhookSecret)])))
        var settings = try await services.commands.settings(of: tenant)
        let version = settings.version
        settings.applyDemoRules(writeBackKey: "economic_customer_number")
        settings.numbering = .economicAssigns(writeBackMetadataKey: nil)
        settings.createPolicy = .manual
        try await services.commands.updateSettings(settings, expectedVersion: version, tenant: tenant, metadata: CommandMetadata(actor: "bench"))

        let load = WebhookLoad(accordURL: accordURL, tenant: tenant, secret: Self.webhookSecret)
        defer { load.shutdown() }
        try await load.waitUntilSecretKnown()

        let alone = try await runOnce(
            "alone", services: services, load: load, customers: Array(ids[0..<perRun]), emailOffset: 0, flood: false)
        let flooded = try await runOnce(
            "under flood", services: services, load: load, customers: Array(ids[perRun...]), emailOffset: perRun, flood: true)
        report(
            "ratio answered p99 under flood / alone", String(format: "%.2f", flooded.answered.p99 / max(alone.answered.p99, 1e-9)), "",
            "issue 13 asks for at most 2 (p50 ratio \(String(format: "%.2f", flooded.answered.p50 / max(alone.answered.p50, 1e-9))))")
        report(
            "ratio recorded p99 under flood / alone", String(format: "%.2f", flooded.recorded.p99 / max(alone.recorded.p99, 1e-9)), "",
            "the workers' lag: p50 ratio \(String(format: "%.2f", flooded.recorded.p50 / max(alone.recorded.p50, 1e-9)))")
        report(
            "workers: deliveries recorded per second, under flood / alone",
            String(format: "%.2f", flooded.recordedPerSecond / max(alone.recordedPerSecond, 1e-9)), "",
            "\(String(format: "%.1f", alone.recordedPerSecond))/s alone → \(String(format: "%.1f", flooded.recordedPerSecond))/s under flood (1 or more: the flood does not slow them)")
        report(
            "workers' lag: most follower lag seen", "\(Int(alone.maxLag)) → \(Int(flooded.maxLag))", "events",
            "alone → under flood; most deliveries waiting in the inbox \(Int(alone.maxInbox)) → \(Int(flooded.maxInbox))")
        // Both runs are measured and printed before a loss fails the benchmark.
        if alone.lost + flooded.lost > 0 {
            throw ValidationError("\(alone.lost) deliveries alone and \(flooded.lost) under flood were not answered 200 or not recorded within --settle")
        }
    }

    /// One run's figures.
    struct RunResult {
        /// Deliveries not answered 200, or not recorded within the settle time.
        var lost: Int
        var answered: (p50: Double, p99: Double)
        var recorded: (p50: Double, p99: Double)
        var maxLag: Double
        var maxInbox: Double
        /// Observations the inbox appended per second while the run sent (any run's customers).
        var recordedPerSecond: Double
    }

    private func runOnce(
        _ name: String, services: AccordServices, load: WebhookLoad, customers: [String], emailOffset: Int, flood: Bool
    ) async throws -> RunResult {
        let sampler = Task { try await load.sampleMetrics(every: .seconds(1)) }
        let floodTask = Task { () -> WebhookLoad.FloodAnswers in
            guard flood else { return .init() }
            return try await load.flood(
                webhookRate: floodRate, apiRate: apiFloodRate ?? floodRate, duration: .seconds(duration), maxInFlight: floodInFlight)
        }
        let started = Date()
        let cpuBefore = MachineCPU.now()
        let sent = try await load.deliver(customers: customers, emailOffset: emailOffset, email: Self.email, rate: webhooksPerSecond)
        let answers = try await floodTask.value
        let ended = Date()
        let cpuAfter = MachineCPU.now()
        let recordedInRun = try await WebhookLoad.observationsRecorded(services.pool, tenant: load.tenant, from: started, to: ended)
        let recordedPerSecond = Double(recordedInRun) / max(ended.timeIntervalSince(started), 1e-9)
        let notAccepted = sent.statuses.filter { $0.key != 200 }.values.reduce(0, +)
        let recorded = try await WebhookLoad.waitForObservations(
            services.pool, tenant: load.tenant, customers: customers, timeout: .seconds(settle))
        sampler.cancel()
        let samples = (try? await sampler.value) ?? []
        let answerTimes = sent.answerTimes.sorted()
        let recordTimes = customers.compactMap { id in recorded[id].flatMap { done in sent.sentAt[id].map { done.timeIntervalSince($0) } } }
            .sorted()
        let lost = customers.count - recorded.count
        let answered = (p50: WebhookLoad.percentile(answerTimes, 0.50), p99: WebhookLoad.percentile(answerTimes, 0.99))
        let observed = (p50: WebhookLoad.percentile(recordTimes, 0.50), p99: WebhookLoad.percentile(recordTimes, 0.99))
        report(
            "\(name): webhook answered, p50", String(format: "%.1f", answered.p50 * 1000), "ms",
            "p99 \(String(format: "%.1f", answered.p99 * 1000)) ms, max \(String(format: "%.0f", (answerTimes.last ?? 0) * 1000)) ms; "
                + "\(customers.count) sent in \(seconds(sent.elapsed)), \(notAccepted) not answered 200 (\(sent.statuses))")
        report(
            "\(name): webhook → customer recorded, p50", String(format: "%.0f", observed.p50 * 1000), "ms",
            "p99 \(String(format: "%.0f", observed.p99 * 1000)) ms, max \(String(format: "%.0f", (recordTimes.last ?? 0) * 1000)) ms; "
                + "\(recorded.count) recorded, \(lost) lost")
        report(
            "\(name): deliveries recorded while sending", String(format: "%.1f", recordedPerSecond), "/s",
            "\(recordedInRun) customers' observations appended in \(String(format: "%.1f", ended.timeIntervalSince(started))) s, this run's or the last one's")
        if let cpuBefore, let cpuAfter {
            let busy = cpuAfter.busySeconds(since: cpuBefore)
            report(
                "\(name): machine busy while sending", String(format: "%.0f", cpuAfter.busyShare(since: cpuBefore) * 100), "%",
                "every process on the machine's \(ProcessInfo.processInfo.activeProcessorCount) CPUs; "
                    + "\(String(format: "%.2f", busy * 1000 / Double(max(recordedInRun, 1)))) ms of CPU per delivery recorded")
        }
        if flood {
            report(
                "\(name): forged webhooks answered", "\(answers.webhooks.statuses.values.reduce(0, +))", "requests",
                "by status \(answers.webhooks.statuses.sorted { $0.key < $1.key }); \(answers.webhooks.skipped) not sent (client at its in-flight cap)")
            report(
                "\(name): bad-key API requests answered", "\(answers.api.statuses.values.reduce(0, +))", "requests",
                "by status \(answers.api.statuses.sorted { $0.key < $1.key }); \(answers.api.skipped) not sent (client at its in-flight cap)")
        }
        return RunResult(
            lost: lost + notAccepted,
            answered: answered, recorded: observed, maxLag: samples.map(\.lag).max() ?? 0, maxInbox: samples.map(\.inbox).max() ?? 0,
            recordedPerSecond: recordedPerSecond)
    }

    @Sendable static func email(_ index: Int) -> String { "webhook-\(index)@webhooks.example" }
}
