import Connectors
import Credentials
import EventStore
import Foundation
import Outbound
import PostgresTestSupport
import SyncDomain
import Testing

/// Stripe creates (an e-conomic customer's partner made in Stripe) against localstripe: made once with the request id
/// in their metadata, and found — not made again — after a worker died with the answer unrecorded. localstripe keeps no
/// Idempotency-Keys, so only the lookup stands between a lost answer and a second customer here.
@Suite("Stripe creates", .timeLimit(.minutes(5)))
struct StripeCreateTests {
    func createRequest(email: String) -> StripeWriteRequested {
        let id = RequestID(UUID())
        return StripeWriteRequested(
            requestId: id, customerId: "",
            kind: .create([
                "name": "Made In Stripe", "email": email, "address.city": "Odense", "address.country": "DK",
                "metadata.economic_number": "4711", "metadata.\(StripeWriteKind.creationKey)": id.description,
            ]),
            reason: .createPartner)
    }

    @Test("a create makes one Stripe customer with the fields and metadata, and records its id")
    func create() async throws {
        try await withOutboundStore { store, database, acme, _ in
            let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
            try await credentials.setStripe(try LocalStripe.connection(), for: acme)
            let email = "made-\(UUID().uuidString.prefix(8).lowercased())@accord.test"
            let request = createRequest(email: email)
            try await withWorkers([testConfiguration()], store: store, database: database, credentials: credentials) { workers in
                try await OutboundStream(store: store).submit(.stripe(request), of: acme)
                let state = try #require(try await settle([request.requestId], acme, store)[request.requestId])
                #expect(state.status == .succeeded)
                let id = try #require(state.result?.stripeCustomerId)
                #expect(state.result?.written["name"] == "Made In Stripe" && state.result?.written["metadata.economic_number"] == "4711")
                let made = try #require(try await LocalStripe.client().customer(id: id).customer)
                #expect(made.email == email && made.address?.city == "Odense")
                #expect(made.metadata[StripeWriteKind.creationKey] == request.requestId.description)
                #expect(workers[0].statistics.sent == 1 && workers[0].statistics.reconciliations == 0)
                // The queue is a read model, projected while the workers run: it shows the success once caught up.
                try await eventually("the queue to show the created customer") {
                    try await OutboundQueue(store: store).request(request.requestId, of: acme)?.status == .succeeded
                }
                let row = try #require(try await OutboundQueue(store: store).request(request.requestId, of: acme))
                #expect(row.kind == .stripeCreate && row.stripeCustomerID == id)
            }
            #expect(try await LocalStripe.client().customers(email: email).data.count == 1)
        }
    }

    @Test("a create whose worker died after sending is found by its request id, and one that died before sending is sent once")
    func reconcileAfterCrash() async throws {
        try await withOutboundStore { store, database, acme, _ in
            let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
            try await credentials.setStripe(try LocalStripe.connection(), for: acme)
            let stripe = try LocalStripe.client()
            let suffix = UUID().uuidString.prefix(8).lowercased()
            // (a) The dead worker's POST went through: the customer exists, nothing was recorded.
            let sent = createRequest(email: "sent-\(suffix)@accord.test")
            guard case .create(let fields) = sent.kind else { return }
            let existing = try await stripe.createCustomer(
                fields: [.name: fields["name"]!, .email: fields["email"]!],
                metadata: [StripeWriteKind.creationKey: sent.requestId.description, "economic_number": "4711"])
            // A customer with the same e-mail made by someone else: never adopted.
            _ = try await stripe.createCustomer(fields: [.name: "Someone Else", .email: fields["email"]!])
            // (b) It died before sending.
            let unsent = createRequest(email: "unsent-\(suffix)@accord.test")
            for request in [sent, unsent] {
                try await OutboundStream(store: store).submit(.stripe(request), of: acme)
                try await append([.economicCreateStarted(EconomicCreateStarted(requestId: request.requestId, existing: []))], tenant: acme, store: store)
            }
            try await withWorkers([testConfiguration()], store: store, database: database, credentials: credentials) { workers in
                let states = try await settle([sent.requestId, unsent.requestId], acme, store)
                #expect(states[sent.requestId]?.status == .succeeded)
                #expect(states[sent.requestId]?.result?.stripeCustomerId == existing.id)
                #expect(states[unsent.requestId]?.status == .succeeded)
                let statistics = workers[0].statistics
                #expect(statistics.reconciliations == 2 && statistics.reconciledExisting == 1 && statistics.sent == 1)
            }
            #expect(try await stripe.customers(email: "sent-\(suffix)@accord.test").data.count == 2, "the found one and the stranger: none made")
            #expect(try await stripe.customers(email: "unsent-\(suffix)@accord.test").data.count == 1)
        }
    }
}
