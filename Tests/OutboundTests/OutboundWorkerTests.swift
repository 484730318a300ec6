import Connectors
import Credentials
import EconomicSandbox
import EventStore
import Foundation
import NIOHTTP1
import Outbound
import PGClient
import PostgresTestSupport
import SyncDomain
import MetricsTestKit
import Testing

@Suite("the outbound worker", .timeLimit(.minutes(5)))
struct OutboundWorkerTests {
    @Test("a create request makes one e-conomic customer with the payload and records the number e-conomic assigned")
    func create() async throws {
        try await withOutboundStore { store, database, acme, _ in
            try await Sandbox.run { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                let email = "create-\(UUID().uuidString.prefix(8).lowercased())@accord.test"
                let request = createRequest(
                    email: email, name: "Create Test ApS", extra: ["city": "Aarhus", "corporateIdentificationNumber": "29403473"])
                let metrics = TestMetrics()
                try await withWorkers([testConfiguration()], store: store, database: database, credentials: credentials, metrics: .init(factory: metrics)) {
                    workers in
                    try await OutboundStream(store: store).submit(.economic(request), of: acme)
                    // The poll interval is 30 s: settling quickly shows the NOTIFY woke the worker.
                    let states = try await settle([request.requestId], acme, store, timeout: .seconds(15))
                    let result = try #require(states[request.requestId]?.result)
                    #expect(states[request.requestId]?.status == .succeeded)
                    let number = try #require(result.customerNumber)
                    let customer = try #require(try await sandbox.client().customer(number: number))
                    for (field, value) in request.payload { #expect(customer.fieldMap[field] == value, "field \(field)") }
                    #expect(result.written["customerNumber"] == String(number))
                    #expect(result.written["email"] == email)
                    let sameEmail = try await sandbox.client().allCustomers(filter: .equals("email", email))
                    #expect(sameEmail.map(\.customerNumber) == [number])
                    let stats = try await sandbox.stats()
                    #expect(stats.customersCreated == 1)
                    #expect(sandbox.count(stats, "POST", "/customers") == 1)
                    #expect(workers[0].statistics.sent == 1 && workers[0].statistics.reconciliations == 0)
                    #expect(try metrics.expectCounter("accord_outbound_results_total", [("target", "economic"), ("result", "created")]).totalValue == 1)

                    try await eventually("the queue to show the success") {
                        try await OutboundQueue(store: store).request(request.requestId, of: acme)?.status == .succeeded
                    }
                    let row = try #require(try await OutboundQueue(store: store).request(request.requestId, of: acme))
                    #expect(row.kind == .economicCreate && row.customerNumber == number && row.nextAttemptAt == nil && row.attempts == 0)
                    #expect(row.matchKeys == ["email:\(email)"])
                }
            }
        }
    }

    @Test("an update reads, applies its patch and PUTs: fields Accord does not manage are kept")
    func update() async throws {
        try await withOutboundStore { store, database, acme, _ in
            try await Sandbox.run { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                var seeded = try EconomicCustomer(fieldMap: [
                    "name": "Update Test A/S", "currency": "DKK", "customerGroup": "1", "paymentTerms": "1", "vatZone": "1", "layout": "19",
                    "email": "old@update.test", "city": "Vejle", "website": "https://kept.example", "telephoneAndFaxNumber": "+45 11 22 33 44",
                    "ean": "5790000000000",
                ])
                seeded.salesPerson = EconomicCustomer.EmployeeReference(7)
                let created = try await sandbox.client().createCustomer(seeded)
                let number = try #require(created.customerNumber)
                let request = EconomicWriteRequested(
                    requestId: RequestID(UUID()), kind: .update(customerNumber: number), linkId: LinkID(UUID()),
                    patch: FieldPatch([
                        "email": FieldWrite(value: "new@update.test", base: "old@update.test", kind: .email),
                        "city": FieldWrite(value: "Odense", base: "Vejle", kind: .text),
                        "address": FieldWrite(value: "Nørregade 1", base: "", kind: .text),
                    ]), reason: .sourceChanged)
                try await withWorkers([testConfiguration()], store: store, database: database, credentials: credentials) { _ in
                    try await OutboundStream(store: store).submit(.economic(request), of: acme)
                    let states = try await settle([request.requestId], acme, store)
                    #expect(states[request.requestId]?.status == .succeeded)
                    #expect(states[request.requestId]?.result?.customerNumber == number)
                    #expect(states[request.requestId]?.result?.written["city"] == "Odense")
                }
                let after = try #require(try await sandbox.client().customer(number: number))
                #expect(after.email == "new@update.test" && after.city == "Odense" && after.address == "Nørregade 1")
                #expect(after.website == "https://kept.example")
                #expect(after.telephoneAndFaxNumber == "+45 11 22 33 44")
                #expect(after.ean == "5790000000000")
                #expect(after.layout?.number == 19)
                #expect(after.salesPerson?.number == 7)
                #expect(after.name == "Update Test A/S" && after.paymentTerms?.number == 1)
                let stats = try await sandbox.stats()
                #expect(stats.customersReplaced == 1)
                #expect(sandbox.count(stats, "PUT", "/customers/{id}") == 1)
            }
        }
    }

    @Test("Stripe metadata and field requests reach the Stripe customer, with the request id as Idempotency-Key")
    func stripe() async throws {
        try await withOutboundStore { store, database, acme, _ in
            let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
            try await credentials.setStripe(try LocalStripe.connection(), for: acme)
            let stripe = try LocalStripe.client()
            let customer = try await stripe.createCustomer(
                fields: [.name: "Stripe Test", .email: "stripe-\(UUID().uuidString.prefix(8).lowercased())@accord.test"])
            let metadata = StripeWriteRequested(
                requestId: RequestID(UUID()), customerId: customer.id, kind: .metadata(["economic_customer_number": "123456789"]),
                reason: .customerNumberWriteBack)
            let fields = StripeWriteRequested(
                requestId: RequestID(UUID()), customerId: customer.id,
                kind: .patch(
                    FieldPatch([
                        "name": FieldWrite(value: "Stripe Test Renamed", base: "Stripe Test", kind: .text),
                        "address.city": FieldWrite(value: "Aalborg", base: "", kind: .text),
                        "address.country": FieldWrite(value: "DK", base: "", kind: .text),
                        "metadata.accord_link": FieldWrite(value: "L1", base: "", kind: .text),
                    ])),
                reason: .economicChanged)
            try await withWorkers([testConfiguration()], store: store, database: database, credentials: credentials) { _ in
                try await OutboundStream(store: store).submit(.stripe(metadata), of: acme)
                let first = try await settle([metadata.requestId], acme, store)
                #expect(first[metadata.requestId]?.status == .succeeded)
                #expect(first[metadata.requestId]?.result?.written == ["economic_customer_number": "123456789"])
                try await OutboundStream(store: store).submit(.stripe(fields), of: acme)
                let second = try await settle([fields.requestId], acme, store)
                #expect(second[fields.requestId]?.status == .succeeded)
                #expect(second[fields.requestId]?.result?.written["address.city"] == "Aalborg")
            }
            let after = try #require(try await stripe.customer(id: customer.id).customer)
            #expect(after.metadata["economic_customer_number"] == "123456789")
            #expect(after.metadata["accord_link"] == "L1")
            #expect(after.name == "Stripe Test Renamed")
            #expect(after.address?.city == "Aalborg")

            // The same write again with the same Idempotency-Key is answered from Stripe's record, not carried out anew.
            let replay = try await stripe.updateMetadata(
                customerID: customer.id, ["economic_customer_number": "123456789"], idempotencyKey: metadata.requestId.description)
            #expect(replay.metadata["economic_customer_number"] == "123456789")
        }
    }

    @Test("a 400 from e-conomic is recorded with e-conomic's own error text and not retried")
    func validationError() async throws {
        try await withOutboundStore { store, database, acme, _ in
            try await Sandbox.run { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                let request = createRequest(email: "invalid@accord.test", name: "Invalid Terms", extra: ["paymentTerms": "4711"])
                let metrics = TestMetrics()
                try await withWorkers([testConfiguration()], store: store, database: database, credentials: credentials, metrics: .init(factory: metrics)) {
                    workers in
                    try await OutboundStream(store: store).submit(.economic(request), of: acme)
                    let states = try await settle([request.requestId], acme, store)
                    let state = try #require(states[request.requestId])
                    #expect(state.status == .abandoned)
                    #expect(state.failedAttempts == 1)
                    let error = try #require(state.lastError)
                    #expect(error.httpStatus == 400)
                    #expect(error.code == "E04300")
                    #expect(error.message.hasPrefix("Validation failed."))
                    #expect(error.fieldErrors["paymentTerms"] == ["PaymentTerms '4711' not found."])
                    #expect(error.logId?.isEmpty == false)
                    try await Task.sleep(for: .seconds(1))  // backoffs are 50 ms: a retry would have happened by now
                    #expect(sandbox.count(try await sandbox.stats(), "POST", "/customers") == 1)
                    #expect(workers[0].statistics.abandoned == 1)
                    #expect(try metrics.expectCounter("accord_outbound_results_total", [("target", "economic"), ("result", "abandoned")]).totalValue == 1)

                    try await eventually("the queue to show the failure") {
                        try await OutboundQueue(store: store).request(request.requestId, of: acme)?.status == .abandoned
                    }
                    let row = try #require(try await OutboundQueue(store: store).requests(of: acme, status: .abandoned).first)
                    #expect(row.requestID == request.requestId.description)
                    #expect(row.errorHTTPStatus == 400 && row.errorCode == "E04300" && row.errorLogID == error.logId)
                    #expect(row.errorMessage == error.message)
                    #expect(row.errorFields == ["paymentTerms": ["PaymentTerms '4711' not found."]])
                    #expect(try await OutboundQueue(store: store).counts(for: acme).abandoned == 1)
                }
            }
        }
    }

    @Test("after the attempt limit a request is abandoned; a retry makes it due again and it is created once")
    func retryAfterAbandon() async throws {
        try await withOutboundStore { store, database, acme, _ in
            var configuration = SandboxConfiguration(seed: .referenceData)
            configuration.knobs = SandboxKnobs(serverErrorRate: 1, serverErrorStatus: 503)
            try await Sandbox.run(configuration) { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                let request = createRequest(email: "retry@accord.test", name: "Retry Later ApS")
                try await withWorkers([testConfiguration(maxAttempts: 3)], store: store, database: database, credentials: credentials) { _ in
                    try await OutboundStream(store: store).submit(.economic(request), of: acme)
                    let abandoned = try await settle([request.requestId], acme, store)
                    #expect(abandoned[request.requestId]?.status == .abandoned)
                    #expect(abandoned[request.requestId]?.failedAttempts == 3)
                    #expect(abandoned[request.requestId]?.lastError?.httpStatus == 503)
                    #expect(sandbox.count(try await sandbox.stats(), "POST", "/customers", status: 503) == 3)

                    try await sandbox.admin(.PATCH, "/_sandbox/knobs", json: #"{"serverErrorRate": 0}"#)
                    try await OutboundStream(store: store).retry(request.requestId, of: acme)
                    let done = try await settle([request.requestId], acme, store)
                    #expect(done[request.requestId]?.status == .succeeded)
                    try await eventually("the queue to show the retried success") {
                        let row = try await OutboundQueue(store: store).request(request.requestId, of: acme)
                        return row?.status == .succeeded && row?.retries == 1 && row?.totalFailures == 3
                    }
                }
                let stats = try await sandbox.stats()
                #expect(stats.customersCreated == 1)
                #expect(try await sandbox.client().allCustomers(filter: .equals("email", "retry@accord.test")).count == 1)
            }
        }
    }

    @Test("requests in flight when a worker died are reconciled before anything is sent again")
    func reconcileAfterCrash() async throws {
        try await withOutboundStore { store, database, acme, _ in
            try await Sandbox.run(SandboxConfiguration(seed: .referenceData)) { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                let client = sandbox.client()
                // (a) The dead worker's POST went through: the customer exists, nothing was recorded.
                let sent = createRequest(email: "sent@crash.test", name: "Sent Before Crash")
                let existing = try await client.createCustomer(try EconomicCustomer(fieldMap: sent.payload))
                // (b) It died before sending.
                let unsent = createRequest(email: "unsent@crash.test", name: "Never Sent")
                // (c) Two customers match what was sent (someone created one by hand as well).
                let doubled = createRequest(email: "twice@crash.test", name: "Twice Over")
                let first = try await client.createCustomer(try EconomicCustomer(fieldMap: doubled.payload))
                let second = try await client.createCustomer(try EconomicCustomer(fieldMap: doubled.payload))
                // A customer with the same e-mail but another name existed before (b)'s first send: never adopted.
                var other = unsent.payload
                other["name"] = "Someone Else"
                let someoneElse = try await client.createCustomer(try EconomicCustomer(fieldMap: other))
                try await sandbox.admin(.DELETE, "/_sandbox/stats")

                for request in [sent, unsent, doubled] {
                    try await OutboundStream(store: store).submit(.economic(request), of: acme)
                    // What a worker records right before each POST (what its e-mail found before the first): the dead
                    // workers got that far, and (b)'s died before its POST.
                    let before = request == unsent ? [try #require(someoneElse.customerNumber)] : []
                    try await append(
                        [.economicCreateStarted(EconomicCreateStarted(requestId: request.requestId, existing: before))], tenant: acme, store: store)
                }
                // The crashed worker's claims: (a) and (c) held by this worker's id (it restarts with the same id),
                // (b) by another worker whose claim has lapsed.
                try await store.pool.withTransaction(scope: .system) { connection in
                    for (request, worker, lapsed) in [(sent, "restarting", false), (doubled, "restarting", false), (unsent, "vanished", true)] {
                        try await connection.execute(
                            """
                            INSERT INTO outbound_claims (tenant_id, request_id, worker, token, expires_at)
                            VALUES ('acme', \(request.requestId.description), \(worker), gen_random_uuid(),
                                    now() + \(lapsed ? "-1 minute" : "1 hour")::interval)
                            """)
                    }
                }
                try await withWorkers([testConfiguration(workerID: "restarting")], store: store, database: database, credentials: credentials) {
                    workers in
                    let states = try await settle([sent.requestId, unsent.requestId, doubled.requestId], acme, store)
                    #expect(states[sent.requestId]?.status == .succeeded)
                    #expect(states[sent.requestId]?.result?.customerNumber == existing.customerNumber)
                    #expect(states[unsent.requestId]?.status == .succeeded)
                    #expect(states[doubled.requestId]?.status == .abandoned)
                    let error = try #require(states[doubled.requestId]?.lastError)
                    #expect(error.code == "AMBIGUOUS_MATCH")
                    #expect(error.message.contains("\(first.customerNumber!)") && error.message.contains("\(second.customerNumber!)"))
                    let statistics = workers[0].statistics
                    #expect(statistics.takeovers == 3)
                    #expect(statistics.reconciliations == 3)
                    #expect(statistics.reconciledExisting == 1)
                    #expect(statistics.sent == 1)
                }
                let stats = try await sandbox.stats()
                #expect(sandbox.count(stats, "POST", "/customers") == 1, "only the request that was never sent is sent")
                #expect(try await client.allCustomers(filter: .equals("email", "unsent@crash.test")).filter { $0.name == "Never Sent" }.count == 1)
            }
        }
    }

    @Test("a create whose answer was lost is found although the accountant renamed the customer before the retry: not created twice")
    func reconcileRenamed() async throws {
        try await withOutboundStore { store, database, acme, _ in
            try await Sandbox.run(SandboxConfiguration(seed: .referenceData)) { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                let client = sandbox.client()
                // A customer with the same e-mail existed before the first send; the send itself went through, its
                // answer was lost, and the accountant renamed what it made before the worker looked again.
                let request = createRequest(email: "renamed@crash.test", name: "As Sent ApS")
                var strangerFields = request.payload
                strangerFields["name"] = "Older Namesake"
                let stranger = try await client.createCustomer(try EconomicCustomer(fieldMap: strangerFields))
                var renamed = try await client.createCustomer(try EconomicCustomer(fieldMap: request.payload))
                renamed.name = "Renamed By The Accountant ApS"
                let made = try await client.replaceCustomer(number: try #require(renamed.customerNumber), renamed)
                try await sandbox.admin(.DELETE, "/_sandbox/stats")

                try await OutboundStream(store: store).submit(.economic(request), of: acme)
                try await append(
                    [.economicCreateStarted(EconomicCreateStarted(requestId: request.requestId, existing: [try #require(stranger.customerNumber)]))],
                    tenant: acme, store: store)
                try await withWorkers([testConfiguration(workerID: "after-crash")], store: store, database: database, credentials: credentials) {
                    workers in
                    let states = try await settle([request.requestId], acme, store)
                    #expect(states[request.requestId]?.status == .succeeded)
                    #expect(states[request.requestId]?.result?.customerNumber == made.customerNumber, "the renamed customer is the request's own")
                    #expect(workers[0].statistics.reconciledExisting == 1)
                }
                #expect(sandbox.count(try await sandbox.stats(), "POST", "/customers") == 0, "nothing is sent again")
                #expect(
                    try await client.allCustomers(filter: .equals("email", "renamed@crash.test")).count == 2, "the namesake and the request's own")
            }
        }
    }

    @Test("a request made before the tenant is connected waits, using no attempt, and goes out once the connection exists")
    func waitsForConnection() async throws {
        try await withOutboundStore { store, database, acme, _ in
            try await Sandbox.run(SandboxConfiguration(seed: .referenceData)) { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                let request = createRequest(email: "nocreds@accord.test", name: "No Credentials")
                // Credentials reloaded every 200 ms, and the queue looked at every second: under the whole suite's load the
                // worker was once seen to look again only at its 30 s poll (see the stop note), which this test is not about.
                var configuration = testConfiguration(pollInterval: .seconds(1))
                configuration.credentialCacheTTL = .milliseconds(200)
                try await withWorkers([configuration], store: store, database: database, credentials: credentials) { workers in
                    try await OutboundStream(store: store).submit(.economic(request), of: acme)
                    try await eventually("the worker to find no connection twice", timeout: .seconds(30)) {
                        workers[0].statistics.waitingForConnection >= 2
                    }
                    let waiting = try await snapshot(request.requestId, acme, store).state
                    #expect(waiting.status != .abandoned)
                    #expect(waiting.failedAttempts == 0, "waiting for a connection uses no attempt")

                    // A Stripe connection alone is not enough for an e-conomic request.
                    try await credentials.setStripe(.init(secretKey: Secret("sk_test_only")), for: acme)
                    try await eventually("the worker to look again with the Stripe connection", timeout: .seconds(30)) {
                        workers[0].statistics.waitingForConnection >= 4
                    }
                    #expect(try await snapshot(request.requestId, acme, store).state.status != .abandoned)

                    try await credentials.setEconomic(sandbox.connection, for: acme)
                    let states = try await settle([request.requestId], acme, store)
                    #expect(states[request.requestId]?.status == .succeeded)
                }
                #expect(try await sandbox.client().allCustomers(filter: .equals("email", "nocreds@accord.test")).count == 1)
            }
        }
    }

    @Test("a tenant held back by its rate limit does not hold the worker's slots: other tenants go first")
    func rateLimitFairness() async throws {
        try await withOutboundStore { store, database, acme, globex in
            try await Sandbox.run(SandboxConfiguration(seed: .referenceData)) { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                try await credentials.setEconomic(sandbox.connection, for: globex)
                let backlog = (0..<12).map { createRequest(email: "backlog-\($0)@accord.test", name: "Backlog \($0)") }
                let urgent = (0..<2).map { createRequest(email: "urgent-\($0)@accord.test", name: "Urgent \($0)") }
                // Two slots; a burst of 4 (two creates: each looks up what already matches it, then POSTs) and then one call per
                // ten minutes per tenant: after its first two, acme's backlog waits ten minutes per call. A worker that kept its
                // slots for acme would hold globex back that long.
                let configuration = testConfiguration(maxConcurrent: 2, rateLimit: RateLimit(requestsPerSecond: 1.0 / 600, burst: 4))
                try await withWorkers([configuration], store: store, database: database, credentials: credentials) { _ in
                    for request in backlog { try await OutboundStream(store: store).submit(.economic(request), of: acme) }
                    try await eventually("acme's burst to be sent") { try await sandbox.stats().customersCreated >= 2 }
                    for request in urgent { try await OutboundStream(store: store).submit(.economic(request), of: globex) }
                    let states = try await settle(urgent.map(\.requestId), globex, store, timeout: .seconds(45))
                    #expect(states.values.allSatisfy { $0.status == .succeeded })
                    var acmeDone = 0
                    for request in backlog where try await snapshot(request.requestId, acme, store).state.status == .succeeded { acmeDone += 1 }
                    #expect(acmeDone == 2, "acme went past its rate limit (acme done: \(acmeDone))")
                }
                #expect(try await sandbox.stats().customersCreated == 4)
            }
        }
    }

    @Test("the per-tenant rate limit paces calls to e-conomic")
    func rateLimit() async throws {
        try await withOutboundStore { store, database, acme, globex in
            try await Sandbox.run(SandboxConfiguration(seed: .referenceData)) { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                try await credentials.setEconomic(sandbox.connection, for: globex)
                let acmeRequests = (0..<6).map { createRequest(email: "rate-a\($0)@accord.test", name: "Rate A\($0)") }
                let globexRequests = (0..<6).map { createRequest(email: "rate-g\($0)@accord.test", name: "Rate G\($0)") }
                let configuration = testConfiguration(rateLimit: RateLimit(requestsPerSecond: 4, burst: 1))
                try await withWorkers([configuration], store: store, database: database, credentials: credentials) { _ in
                    let started = ContinuousClock.now
                    for request in acmeRequests { try await OutboundStream(store: store).submit(.economic(request), of: acme) }
                    for request in globexRequests { try await OutboundStream(store: store).submit(.economic(request), of: globex) }
                    let acmeStates = try await settle(acmeRequests.map(\.requestId), acme, store)
                    let globexStates = try await settle(globexRequests.map(\.requestId), globex, store)
                    let elapsed = ContinuousClock.now - started
                    #expect(acmeStates.values.allSatisfy { $0.status == .succeeded } && globexStates.values.allSatisfy { $0.status == .succeeded })
                    // Six calls per tenant at 4/s with a burst of 1 need at least 1.25 s.
                    #expect(elapsed >= .milliseconds(1250))
                }
                #expect(try await sandbox.stats().customersCreated == 12)
            }
        }
    }
}
