import Connectors
import Credentials
import EconomicSandbox
import EventStore
import Foundation
import Ingest
import Logging
import Runtime
import SyncDomain
import SyncEngine

/// Carries out a script's operations against Stripe (the run's localstripe), e-conomic (the sandbox), and the Accord
/// process of the moment, and records each in the ``ChaosModel``. Operations run one after another; Accord works
/// concurrently all the while.
final class ChaosDriver {
    let script: ChaosScript
    let tenant: TenantID
    let database: ChaosDatabase
    let sandbox: ChaosSandbox
    let stripeBase: String
    let stripe: StripeClient
    let environment: [String: String]
    let logger: Logger
    let startedAt = Date()
    private(set) var process: ChaosProcess
    var model: ChaosModel
    private(set) var generation = 0
    private(set) var workerID: String
    /// One line per operation: what was done, or why it was skipped.
    private(set) var log: [String] = []
    /// Operations that had nothing to act on when their turn came (e.g. an edit of a partner not created yet).
    private(set) var skipped = 0
    private(set) var kills = 0
    private(set) var restarts = 0
    /// How the run's own e-conomic calls are retried under the faults it injects.
    let retry = ReadRetry(policy: .exponentialJitter(base: 0.1, multiplier: 2, maxDelay: 1, maxAttempts: 30))

    static let webhookID = "accord-chaos"
    static let stripeKey = "sk_test_accord_chaos"

    private init(
        script: ChaosScript, tenant: TenantID, database: ChaosDatabase, sandbox: ChaosSandbox, stripeBase: String, environment: [String: String],
        process: ChaosProcess, workerID: String, logger: Logger
    ) {
        self.script = script
        self.tenant = tenant
        self.database = database
        self.sandbox = sandbox
        self.stripeBase = stripeBase
        self.stripe = StripeClient(configuration: StripeConfiguration(apiBase: stripeBase, secretKey: Self.stripeKey, timeout: .seconds(20)))
        self.environment = environment
        self.process = process
        self.workerID = workerID
        self.logger = logger
        self.model = ChaosModel(script: script)
    }

    /// Starts the first process and sets the tenant up with the script's starting rules.
    static func start(
        script: ChaosScript, database: ChaosDatabase, sandbox: ChaosSandbox, stripeBase: String, logger: Logger
    ) async throws -> ChaosDriver {
        var environment = ProcessInfo.processInfo.environment
        environment["ACCORD_MASTER_KEY"] = MasterKey.generate().exportBase64()
        let workerID = "chaos-worker-0"
        let process = try await ChaosProcess.start(database: database, generation: 0, workerID: workerID, environment: environment, logger: logger)
        let driver = ChaosDriver(
            script: script, tenant: try TenantID("chaos"), database: database, sandbox: sandbox, stripeBase: stripeBase,
            environment: environment, process: process, workerID: workerID, logger: logger)
        do {
            try await driver.connect()
        } catch {
            try? await process.stop()
            throw error
        }
        return driver
    }

    /// Registers the tenant, its connections, settings and this process's webhook.
    private func connect() async throws {
        try await process.services.setUpLocalTenant(
            tenant,
            connections: .init(
                economicBaseURL: sandbox.baseURL, economicAppSecretToken: SandboxConfiguration.defaultAppSecretToken,
                economicAgreementGrantToken: SandboxConfiguration.defaultAgreementGrantToken, stripeAPIBase: stripeBase,
                stripeSecretKey: Self.stripeKey),
            accordURL: "http://127.0.0.1:\(process.port)", webhookID: Self.webhookID
        ) { settings in
            settings = script.settings(rule: model.rule, mappings: model.mappings, from: settings)
        }
    }

    // MARK: Operations

    /// Carries out one operation and records it.
    func apply(_ operation: ChaosOperation) async throws {
        let sequence = model.next()
        var note = ""
        switch operation {
        case .createStripeCustomer(let customer, let fields):
            try await createStripeCustomer(customer, fields: fields)
        case .updateStripeCustomer(let customer, let fields):
            note = try await updateStripeCustomer(customer, fields: fields)
        case .clearStripeFields(let customer, let fields):
            note = try await updateStripeCustomer(customer, fields: Dictionary(uniqueKeysWithValues: fields.map { ($0, "") }))
        case .deleteStripeCustomer(let customer):
            note = try await deleteStripeCustomer(customer)
        case .editInEconomic(let customer, let changes):
            note = try await editInEconomic(customer, changes: changes)
        case .createMatchedPair(let customer, let fields, let byPhone, let rule):
            try await createMatchedPair(customer, fields: fields, byPhone: byPhone, switchingRuleTo: rule)
        case .createStranger(let stranger, let name, let email, let phone):
            try await createStranger(stranger, name: name, email: email, phone: phone)
        case .changeMatchFields(let rule):
            try await saveSettings(rule: rule, mappings: model.mappings)
        case .changeMappings(let mappings):
            try await saveSettings(rule: model.rule, mappings: mappings)
        case .setFaults(let knobs):
            try await sandbox.setKnobs(knobs)
        case .kill(let sameWorkerID):
            try await kill(sameWorkerID: sameWorkerID)
        case .restart(let whileDown):
            // Logged before the operations done while down, which log themselves.
            record("\(sequence). restart (stopped, webhook off; \(whileDown.count) operations while down)")
            try await restart(whileDown: whileDown)
            record("\(sequence). restart: started again")
            return
        case .pause(let milliseconds):
            try await Task.sleep(for: .milliseconds(milliseconds))
        }
        if !note.isEmpty { skipped += 1 }
        record("\(sequence). \(operation)\(note.isEmpty ? "" : " — skipped: \(note)")")
    }

    func record(_ line: String) {
        log.append(line)
        logger.debug("\(line)")
    }

    // MARK: Settings

    func saveSettings(rule: ChaosMatchRule, mappings: ChaosMappings) async throws {
        let commands = process.services.commands
        let current = try await commands.settings(of: tenant)
        try await commands.updateSettings(
            script.settings(rule: rule, mappings: mappings, from: current), expectedVersion: current.version, tenant: tenant,
            metadata: CommandMetadata(actor: "chaos:administrator"))
        if rule != model.rule { model.ruleChanged(to: rule) }
        if mappings != model.mappings { model.mappingsChanged(to: mappings) }
    }

    // MARK: The process

    private func kill(sameWorkerID: Bool) async throws {
        try await process.kill(database: database)
        kills += 1
        if !sameWorkerID { workerID = "chaos-worker-\(generation + 1)" }
        try await startNextProcess()
    }

    private func restart(whileDown: [ChaosOperation]) async throws {
        try await process.stop()
        try await LocalStripeAdmin.disableWebhook(apiBase: stripeBase, id: Self.webhookID)
        restarts += 1
        for operation in whileDown { try await apply(operation) }
        try await startNextProcess()
    }

    private func startNextProcess() async throws {
        generation += 1
        process = try await ChaosProcess.start(
            database: database, generation: generation, workerID: workerID, environment: environment, logger: logger)
        try await connect()
    }

    /// Stops the current process gracefully (at the end of a run).
    func stop() async throws {
        try await process.stop()
    }

    // MARK: Reads through the current process

    /// A full e-conomic read through the current process's command handler: when it returns, Accord has observed
    /// every e-conomic customer as it is now.
    func readEconomic() async throws {
        _ = try await EconomicIngest(handler: process.services.commands, store: process.services.store, retry: retry, logger: logger).pass(
            client: sandbox.client, tenant: tenant, since: nil)
    }

    /// A catch-up from Stripe's events list through the current process: every event so far is in its inbox.
    func readStripeEvents() async throws {
        try await process.services.stripeCatchUp.read(
            StripeCatchUp.Connection(
                tenant: tenant, stripe: StripeConfiguration(apiBase: stripeBase, secretKey: Self.stripeKey), connectedAt: startedAt))
    }
}
