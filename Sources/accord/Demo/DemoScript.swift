import Connectors
import Credentials
import EconomicSandbox
import EventStore
import Foundation
import Ingest
import Logging
import Outbound
import PGClient
import Projections
import Runtime
import ServiceLifecycle
import SyncDomain
import SyncEngine

/// The demo's script, run as a service next to Accord's own: sets up tenant `demo` against the in-process
/// e-conomic sandbox and localstripe, reads e-conomic, creates demo customers in Stripe (their webhooks drive the
/// sync), waits for the sync to settle, reports what happened, and then waits for Ctrl-C.
struct DemoScript: Service {
    let services: AccordServices
    let stripeAPIBase: String
    let sandboxPorts: AsyncStream<Int>
    let serverPorts: AsyncStream<Int>
    let logger: Logger

    static let tenant = try! TenantID("demo")
    static let stripeKey = "sk_test_accord_demo"
    /// The demo tenant's admin, who logs in to the web UI with the password the report shows.
    static let adminEmail = "admin@demo.example"
    static let writeBackKey = "economic_customer_number"

    /// Gives the demo's admin this password: added the first time, the password replaced when the demo runs again
    /// on the same database.
    static func admin(password: String, tenant: TenantID, pool: PGConnectionPool) async throws {
        let users = UserStore(pool: pool)
        if let existing = try await users.list(tenant: tenant).first(where: { $0.email == adminEmail }) {
            try await users.setPassword(password, userID: existing.userID, tenant: tenant)
        } else {
            _ = try await users.add(email: adminEmail, password: password, role: .admin, tenant: tenant)
        }
    }

    /// The demo's Stripe customers and what should become of each.
    static let customers: [(fields: [StripeCustomerField: String], story: String)] = [
        ([.name: "Anna Jensen", .email: "anna@example.com", .addressCountry: "DK"], "same e-mail as e-conomic customer 1 → linked"),
        ([.name: "Nordisk Design ApS", .email: "billing@nordiskdesign.example", .addressCountry: "DK"], "e-mail of e-conomic 2 → linked"),
        ([.name: "Hansen & Co", .email: "ap@hansen.example"], "second of e-conomic 3's two e-mails → linked"),
        ([.name: "Walk-in Customer", .phone: "+45 70 10 20 30"], "no e-mail → a visible match failure, never a silent create"),
        ([.name: "Twin Peaks Café", .email: "office@twinpeaks.example", .addressCountry: "DK"], "new → created in e-conomic"),
        ([.name: "Twin Peaks Coffee", .email: "office@twinpeaks.example", .addressCountry: "DK"], "same e-mail as the café → refused as a duplicate"),
        ([.name: "Berlin Bikes GmbH", .email: "kontakt@berlin-bikes.example", .addressCountry: "DE"], "new, EU → created with VAT zone EU"),
        ([.name: "Austin Tacos LLC", .email: "hello@austintacos.example", .addressCountry: "US"], "new, abroad → created with VAT zone Abroad"),
    ]

    func run() async throws {
        var sandboxIterator = sandboxPorts.makeAsyncIterator()
        var serverIterator = serverPorts.makeAsyncIterator()
        guard let sandboxPort = await sandboxIterator.next(), let serverPort = await serverIterator.next() else { return }
        let sandboxURL = "http://127.0.0.1:\(sandboxPort)"
        let accordURL = "http://127.0.0.1:\(serverPort)"
        let tenant = Self.tenant

        // 1. The tenant, its connections and settings (webhook registered with localstripe), an API key and an admin.
        try await services.setUpLocalTenant(
            tenant,
            connections: .init(
                economicBaseURL: sandboxURL, economicAppSecretToken: SandboxConfiguration.defaultAppSecretToken,
                economicAgreementGrantToken: SandboxConfiguration.defaultAgreementGrantToken, stripeAPIBase: stripeAPIBase,
                stripeSecretKey: Self.stripeKey),
            accordURL: accordURL, webhookID: "accord-demo"
        ) { settings in settings.applyDemoRules(writeBackKey: Self.writeBackKey) }
        let (key, _) = try await APIKeyStore(pool: services.pool).create(tenant: tenant, name: "demo")
        let password = SecureRandom.bytes(15).base64URLString
        try await Self.admin(password: password, tenant: tenant, pool: services.pool)

        // 2. What e-conomic already has (so Stripe customers can match it), then Stripe's customers by webhook.
        let economic = EconomicClient(
            configuration: .init(
                baseURL: sandboxURL, appSecretToken: SandboxConfiguration.defaultAppSecretToken,
                agreementGrantToken: SandboxConfiguration.defaultAgreementGrantToken))
        let ingest = EconomicIngest(handler: services.commands, store: services.store, logger: services.logger)
        let read = try await ingest.pass(client: economic, tenant: tenant, since: nil)
        say("e-conomic sandbox at \(sandboxURL): \(read.read) existing customers observed")
        let stripe = StripeClient(configuration: StripeConfiguration(apiBase: stripeAPIBase, secretKey: Self.stripeKey))
        var created: [String: String] = [:]
        for (fields, story) in Self.customers {
            let customer = try await stripe.createCustomer(fields: fields)
            created[customer.id] = story
        }
        say("localstripe at \(stripeAPIBase): \(created.count) demo customers created; their webhooks drive the sync")

        // 3. Wait for webhooks, the reactor and the outbound worker to settle, then report.
        try await waitUntilSettled(tenant: tenant, stripeCustomers: created.count)
        try await report(tenant: tenant, stories: created, stripe: stripe)
        try await replay(tenant: tenant)
        say(
            """

            What to try next (Accord keeps running; Ctrl-C stops everything):
              Web UI      \(accordURL)/ui — log in as \(Self.adminEmail) (or with the API key)
              Password    \(password)
              API key     \(key.token)
              API         curl -H 'Authorization: Bearer \(key.token)' \(accordURL)/api/v1/overview
              Conflicts   change Anna's name in e-conomic and in Stripe, then resolve the conflict in the UI:
                            curl -X PUT … \(sandboxURL)/customers/1 (see docs/economic-sandbox.md; the poller reads changes every 30 s)
                            curl -u \(Self.stripeKey): -d name='Anna J.' \(stripeAPIBase)/v1/customers/<id>
              New         curl -u \(Self.stripeKey): -d email=new@example.com -d name='New ApS' \(stripeAPIBase)/v1/customers
              Import      accord import ops/demo/customers.csv --tenant demo   (in another shell, with this DATABASE_URL)
              Rebuild     accord rebuild customers   (blue/green; reads keep working)
              Replay      accord settings show --tenant demo > s.json; edit it; accord replay --tenant demo --settings s.json
            """)
        try await gracefulShutdown()
    }

    /// Polls until every demo customer has been observed, the webhook inbox is empty, the reactor has handled
    /// everything, and no outbound request is waiting — or 120 seconds pass.
    private func waitUntilSettled(tenant: TenantID, stripeCustomers: Int) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        let queue = OutboundQueue(store: services.store)
        while ContinuousClock.now < deadline {
            let (observed, inbox, unhandled) = try await services.pool.withTransaction(scope: .system) { connection in
                (
                    try await connection.query("SELECT count(*) FROM customers WHERE tenant_id = \(tenant.rawValue) AND system = 'stripe'")
                        .singleValue(Int.self) ?? 0,
                    try await connection.query("SELECT count(*) FROM webhook_inbox WHERE tenant_id = \(tenant.rawValue) AND status = 'pending'")
                        .singleValue(Int.self) ?? 0,
                    try await connection.query(
                        """
                        SELECT count(*) FROM events e WHERE NOT EXISTS (
                            SELECT 1 FROM projection_checkpoints c WHERE c.projection = \(Reactor.checkpointName) AND c.shard = 'all'
                              AND (e.txid, e.global_position) <= (c.txid, c.global_position))
                        """
                    ).singleValue(Int.self) ?? 0
                )
            }
            let outbound = try await queue.counts(for: tenant)
            if observed >= stripeCustomers, inbox == 0, unhandled == 0,
                outbound.pending + outbound.failedWaiting + outbound.rateLimited + outbound.inFlight == 0
            {
                return
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        say("(the sync had not fully settled after 120 s; the report shows where it stands)")
    }

    private func report(tenant: TenantID, stories: [String: String], stripe: StripeClient) async throws {
        let customers = try await CustomerQueries(pool: services.pool).page(tenant, filter: .init(includeDeleted: true, limit: 1000)).rows
        let links = try await PartnerLinkQueries(pool: services.pool).page(tenant, limit: 1000, offset: 0).rows
        let byRef = Dictionary(uniqueKeysWithValues: customers.map { ($0.customer.description, $0) })
        say("\nWhat happened:")
        for link in links.sorted(by: { ($0.origin.isCreated ? 1 : 0, $0.economicNumber) < ($1.origin.isCreated ? 1 : 0, $1.economicNumber) }) {
            guard let source = byRef[link.source] else { continue }
            let name = source.name ?? link.source
            switch link.origin {
            case .autoMatch(let key):
                say("  linked   \(name) (\(link.source)) ↔ e-conomic \(link.economicNumber), matched by \(key.kind.rawValue) \(key.value)")
            case .created:
                var writtenBack = "number not written back"
                if case .customer(let customer) = try await stripe.customer(id: source.externalID),
                    customer.metadata[Self.writeBackKey] == link.economicNumber
                {
                    writtenBack = "number written back to Stripe metadata \(Self.writeBackKey)"
                }
                say("  created  \(name) (\(link.source)) → e-conomic \(link.economicNumber) (\(source.fields["address.country"] ?? "?")), \(writtenBack)")
            default:
                say("  linked   \(name) (\(link.source)) ↔ e-conomic \(link.economicNumber) (\(link.origin))")
            }
        }
        for customer in customers where customer.system == System.stripe.rawValue && customer.matchFailure != nil {
            say("  failed   \(customer.name ?? customer.externalID) (\(customer.customer)): \(customer.matchFailure!)")
        }
        let outbound = try await OutboundQueue(store: services.store).counts(for: tenant)
        if outbound.abandoned > 0 { say("  outbound requests abandoned: \(outbound.abandoned) (see the web UI)") }
        say("\nThe demo customers' stories: \(stories.values.sorted().joined(separator: "; ")).")
    }

    /// One replay of the tenant's log, as `accord replay` does it: what a fixed VAT zone would have sent instead.
    private func replay(tenant: TenantID) async throws {
        var proposal = try await services.commands.settings(of: tenant)
        proposal.defaults.vatZone = .fixed(zone: 1)
        let report = try await ReplayQueries(store: services.store).fold(tenant: tenant, proposal: proposal).report()
        say(
            "\nReplayed under \"VAT zone always 1\" (accord replay; nothing written): \(report.summary.wouldUpdate) of "
                + "\(report.summary.customers) Stripe customers would have been sent other values")
        for customer in report.customers {
            for difference in customer.differences {
                say("  \(customer.customer): \(difference.field) \(difference.sent ?? "(not sent)") → \(difference.proposed ?? "(not sent)")")
            }
        }
    }
}

extension LinkOrigin {
    var isCreated: Bool { if case .created = self { true } else { false } }
}

/// Writes a line to standard output at once (unbuffered, so the report stays in order with the logs).
private func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
