import Connectors
import Credentials
import EconomicSandbox
import EventSourcing
import EventStore
import Foundation
import Outbound
import PGClient
import PostgresTestSupport
import SyncDomain
import Testing

/// An e-conomic read that started before Accord's own update landed must not be taken for an edit that turned the
/// written values back (chaos seed 25): the update's answer is recorded as the customer's newest observation.
@Suite("e-conomic's answers are observations", .timeLimit(.minutes(5)))
struct OutboundAnswerTests {
    @Test("after an update, a read of the customer from before it is refused as older than e-conomic's answer")
    func staleReadIsRefused() async throws {
        try await withOutboundStore { store, database, acme, _ in
            try await Sandbox.run(SandboxConfiguration(seed: .referenceData)) { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                let seeded = try EconomicCustomer(fieldMap: createRequest(email: "answer@update.test", name: "Before").payload)
                let number = try #require(try await sandbox.client().createCustomer(seeded).customerNumber)
                // A poll reads the customer now, and records what it read only after the update below.
                let read = try #require(try await sandbox.client().customer(number: number))
                try await Task.sleep(for: .milliseconds(1100))  // e-conomic keeps lastUpdated to the second
                let request = EconomicWriteRequested(
                    requestId: RequestID(UUID()), kind: .update(customerNumber: number), linkId: LinkID(UUID()),
                    patch: FieldPatch(["name": FieldWrite(value: "After", base: "Before", kind: .text)]), reason: .sourceChanged)
                try await withWorkers([testConfiguration()], store: store, database: database, credentials: credentials) { _ in
                    try await OutboundStream(store: store).submit(.economic(request), of: acme)
                    #expect(try await settle([request.requestId], acme, store)[request.requestId]?.status == .succeeded)
                }
                let customer = CustomerRef.economic(number)
                let folded = try await store.fold(CustomerDecider.self, .customer(customer), from: CustomerState(customer: customer), of: acme)
                #expect(folded.state.fields["name"] == "After", "the answer is the customer's newest observation")

                var stale = read.fieldMap
                stale["lastUpdated"] = nil
                let late = CustomerObserved(customer: customer, fields: stale, sourceUpdatedAt: read.lastUpdatedDate)
                let outcome = try await DecisionRunner(store: store).decide(
                    CustomerDecider.self, .observe(late), context: (), on: .customer(customer), from: CustomerState(customer: customer), tenant: acme,
                    metadata: EventMetadata(actor: "economic:poll"))
                #expect(outcome.events.isEmpty, "the read from before the update changes nothing")
                #expect(outcome.output.state.fields["name"] == "After")
            }
        }
    }
}
