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
import Testing

/// Back-pressure (a 429 is a wait, not a failure) and reconciliation that never adopts a stranger, against the sandbox.
@Suite("outbound back-pressure and reconciliation", .timeLimit(.minutes(5)))
struct OutboundDeliveryTests {
    @Test("many 429s with Retry-After on one request: never abandoned, no attempt used, shown as waiting, then sent")
    func rateLimitedIsNotFailed() async throws {
        try await withConnectedSandbox(SandboxKnobs(rateLimitRate: 1, retryAfterSeconds: 1)) { store, database, acme, sandbox, credentials in
            let request = createRequest(email: "limited@accord.test", name: "Limited ApS")
            let queue = OutboundQueue(store: store)
            try await withWorkers([testConfiguration(maxAttempts: 2)], store: store, database: database, credentials: credentials) { workers in
                try await OutboundStream(store: store).submit(.economic(request), of: acme)
                // Twice the attempt limit in 429s: each waited out its Retry-After, none abandoned the request.
                try await eventually("four 429s") { sandbox.count(try await sandbox.stats(), "POST", "/customers", status: 429) >= 4 }
                try await eventually("the queue to show the wait") {
                    let row = try await queue.request(request.requestId, of: acme)
                    return row?.status == .rateLimited && (row?.rateLimitedWaits ?? 0) >= 1
                }
                let waiting = try #require(try await queue.request(request.requestId, of: acme))
                #expect(waiting.attempts == 0 && waiting.totalFailures == 0, "a wait is not a failed attempt")
                #expect(waiting.errorHTTPStatus == 429 && waiting.nextAttemptAt != nil)
                #expect(try await queue.counts(for: acme).rateLimited == 1)
                let during = try await snapshot(request.requestId, acme, store).state
                #expect(during.status != .abandoned && during.failedAttempts == 0)

                try await sandbox.admin(.PATCH, "/_sandbox/knobs", json: #"{"rateLimitRate": 0}"#)
                let states = try await settle([request.requestId], acme, store)
                let state = try #require(states[request.requestId])
                #expect(state.status == .succeeded)
                #expect(state.failedAttempts == 0)
                #expect(state.rateLimitedWaits >= 4)
                #expect(workers[0].statistics.rateLimited == state.rateLimitedWaits)
                #expect(workers[0].statistics.failed == 0 && workers[0].statistics.abandoned == 0)
            }
            let recorded = try await events(store)
            #expect(!recorded.contains { if case .outboundFailed = $0 { true } else { false } }, "no 429 was recorded as a failure")
            #expect(!recorded.contains { if case .outboundAbandoned = $0 { true } else { false } })
            #expect(try await sandbox.stats().customersCreated == 1)
        }
    }

    @Test("an e-conomic customer with the same e-mail that existed before the first send is never adopted: a new one is created")
    func strangerIsNotAdopted() async throws {
        try await withConnectedSandbox { store, database, acme, sandbox, credentials in
            let request = createRequest(email: "same@stranger.test", name: "Same Name ApS")
            // Someone else's customer: same e-mail, same name, there before Accord sent anything.
            let stranger = try await sandbox.client().createCustomer(try EconomicCustomer(fieldMap: request.payload))
            let strangerNumber = try #require(stranger.customerNumber)
            try await sandbox.admin(.PATCH, "/_sandbox/knobs", json: #"{"serverErrorRate": 1, "serverErrorStatus": 503}"#)
            try await withWorkers([testConfiguration()], store: store, database: database, credentials: credentials) { workers in
                try await OutboundStream(store: store).submit(.economic(request), of: acme)
                // 503s leave the outcome unknown, so the next attempts reconcile: they find the stranger, and leave it.
                try await eventually("two 503s") { sandbox.count(try await sandbox.stats(), "POST", "/customers", status: 503) >= 2 }
                try await sandbox.admin(.PATCH, "/_sandbox/knobs", json: #"{"serverErrorRate": 0}"#)
                let states = try await settle([request.requestId], acme, store)
                let state = try #require(states[request.requestId])
                #expect(state.status == .succeeded)
                let number = try #require(state.result?.customerNumber)
                #expect(number != strangerNumber, "the stranger was not adopted")
                #expect(workers[0].statistics.reconciliations >= 1 && workers[0].statistics.reconciledExisting == 0)
            }
            let sameEmail = try await sandbox.client().allCustomers(filter: .equals("email", "same@stranger.test"))
            #expect(sameEmail.count == 2, "the stranger and the customer Accord created")
            let starts = try await events(store).compactMap { event -> EconomicCreateStarted? in
                if case .economicCreateStarted(let e) = event { return e }
                return nil
            }
            #expect(starts.first?.existing == [strangerNumber], "what existed at the first send is in the request's stream")
            #expect(starts.dropFirst().allSatisfy { $0.existing == nil })
        }
    }

    @Test("a known number is checked first: a chosen number settles a lost create without searching")
    func knownNumberFirst() async throws {
        try await withConnectedSandbox { store, database, acme, sandbox, credentials in
            let request = createRequest(email: "numbered@accord.test", name: "Numbered ApS", extra: ["customerNumber": "5001"])
            // The lost create made customer 5001; someone has since made another customer with the same e-mail and name,
            // so a search by e-mail would find two.
            _ = try await sandbox.client().createCustomer(try EconomicCustomer(fieldMap: request.payload))
            var twin = request.payload
            twin["customerNumber"] = nil
            _ = try await sandbox.client().createCustomer(try EconomicCustomer(fieldMap: twin))
            try await appendLostCreate(request, tenant: acme, store: store)
            try await sandbox.admin(.DELETE, "/_sandbox/stats")
            try await withWorkers([testConfiguration()], store: store, database: database, credentials: credentials) { workers in
                let states = try await settle([request.requestId], acme, store)
                #expect(states[request.requestId]?.status == .succeeded)
                #expect(states[request.requestId]?.result?.customerNumber == 5001)
                #expect(workers[0].statistics.reconciledExisting == 1 && workers[0].statistics.sent == 0)
            }
            let stats = try await sandbox.stats()
            #expect(sandbox.count(stats, "GET", "/customers/{id}") == 1)
            #expect(sandbox.count(stats, "GET", "/customers") == 0, "no search")
            #expect(sandbox.count(stats, "POST", "/customers") == 0)
        }
    }

    @Test("a number e-conomic named in an earlier answer is checked first, even for a create without match keys")
    func learnedNumberFirst() async throws {
        try await withConnectedSandbox { store, database, acme, sandbox, credentials in
            let request = nameOnlyRequest("Answered Once ApS")
            let made = try await sandbox.client().createCustomer(try EconomicCustomer(fieldMap: request.payload))
            let number = try #require(made.customerNumber)
            // What the worker records for a 201 whose body could not be read but whose Location named the customer.
            let unreadable = OutboundError(
                code: "invalidResponse", message: "the body is not the expected JSON", customerNumber: number, afterSending: true)
            try await appendLostCreate(request, tenant: acme, store: store, error: unreadable)
            try await sandbox.admin(.DELETE, "/_sandbox/stats")
            try await withWorkers([testConfiguration()], store: store, database: database, credentials: credentials) { _ in
                let states = try await settle([request.requestId], acme, store)
                #expect(states[request.requestId]?.status == .succeeded)
                #expect(states[request.requestId]?.result?.customerNumber == number)
            }
            let stats = try await sandbox.stats()
            #expect(sandbox.count(stats, "GET", "/customers/{id}") == 1 && sandbox.count(stats, "POST", "/customers") == 0)
        }
    }

    @Test("a create with only a name whose outcome is unknown waits for a person, with the reason; their retry sends it")
    func nameOnlyWaitsForAPerson() async throws {
        try await withConnectedSandbox { store, database, acme, sandbox, credentials in
            let request = nameOnlyRequest("Only A Name ApS")
            // A customer by that name exists: a lookup by name would have adopted it.
            _ = try await sandbox.client().createCustomer(try EconomicCustomer(fieldMap: request.payload))
            try await appendLostCreate(request, tenant: acme, store: store)
            try await sandbox.admin(.DELETE, "/_sandbox/stats")
            let queue = OutboundQueue(store: store)
            try await withWorkers([testConfiguration()], store: store, database: database, credentials: credentials) { _ in
                let waiting = try await settle([request.requestId], acme, store)
                #expect(waiting[request.requestId]?.status == .abandoned)
                let error = try #require(waiting[request.requestId]?.lastError)
                #expect(error.code == OutboundError.cannotReconcileCode)
                #expect(error.message.contains("'Only A Name ApS'") && error.message.contains("retry the request"))
                try await eventually("the queue to show the reason") {
                    try await queue.request(request.requestId, of: acme)?.errorCode == OutboundError.cannotReconcileCode
                }
                #expect(try await sandbox.stats().requests.isEmpty, "nothing was looked up by name, nothing sent")

                // A person looked in e-conomic, found it is not theirs, and retries: the create is sent.
                try await OutboundStream(store: store).retry(request.requestId, of: acme)
                try await eventually("the retried create to succeed") {
                    try await snapshot(request.requestId, acme, store).state.status == .succeeded
                }
            }
            let stats = try await sandbox.stats()
            #expect(sandbox.count(stats, "POST", "/customers") == 1)
            #expect(sandbox.count(stats, "GET", "/customers") == 0)
        }
    }

    /// A test database whose tenant `acme` is connected to a fresh sandbox (reference data, `knobs` injected).
    func withConnectedSandbox(
        _ knobs: SandboxKnobs = .none, _ body: @Sendable (EventStore, TestDatabase, TenantID, Sandbox, CredentialStore) async throws -> Void
    ) async throws {
        try await withOutboundStore { store, database, acme, _ in
            var configuration = SandboxConfiguration(seed: .referenceData)
            configuration.knobs = knobs
            try await Sandbox.run(configuration) { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                try await body(store, database, acme, sandbox, credentials)
            }
        }
    }

    /// A create with no match key (e.g. a file customer without e-mail or CVR, created by hand).
    func nameOnlyRequest(_ name: String) -> EconomicWriteRequested {
        EconomicWriteRequested(
            requestId: RequestID(UUID()), kind: .create, source: .file(name),
            payload: ["name": name, "currency": "DKK", "customerGroup": "1", "paymentTerms": "1", "vatZone": "1"], reason: .createPartner)
    }

    /// The request's stream as a worker leaves it whose create was sent and whose answer was lost (or unusable).
    func appendLostCreate(
        _ request: EconomicWriteRequested, tenant: TenantID, store: EventStore,
        error: OutboundError = OutboundError(code: "transport", message: "the connection was closed", afterSending: true)
    ) async throws {
        try await append(
            [
                .economicWriteRequested(request), .economicCreateStarted(EconomicCreateStarted(requestId: request.requestId, existing: [])),
                .outboundFailed(OutboundFailed(requestId: request.requestId, attempt: 1, error: error, retryAt: Date())),
            ], tenant: tenant, store: store)
    }
}
