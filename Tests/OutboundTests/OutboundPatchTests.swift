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

/// Updates as field patches with bases (issue 9, holes 1 and 2, and per-link order), against the sandbox and
/// localstripe: the worker reads the target, writes a field only while it holds the base, sends clears, and never
/// sends an older update of a link after a newer one.
@Suite("the outbound worker's field patches", .timeLimit(.minutes(5)))
struct OutboundPatchTests {
    /// A customer of the sandbox with the given fields (over a valid minimum).
    func seed(_ sandbox: Sandbox, _ fields: [String: String]) async throws -> Int {
        let minimum = ["name": "Patch Test A/S", "currency": "DKK", "customerGroup": "1", "paymentTerms": "1", "vatZone": "1"]
        let created = try await sandbox.client().createCustomer(try EconomicCustomer(fieldMap: minimum.merging(fields) { $1 }))
        return try #require(created.customerNumber)
    }

    /// What an accountant does in e-conomic: a read-modify-write of some fields.
    func edit(_ sandbox: Sandbox, _ number: Int, _ fields: [String: String]) async throws {
        _ = try await sandbox.client().updateCustomer(number: number) { try $0.apply(fieldMap: fields) }
    }

    func update(_ number: Int, link: LinkID = LinkID(UUID()), supersedes: [RequestID] = [], _ fields: [String: FieldWrite]) -> EconomicWriteRequested
    {
        EconomicWriteRequested(
            requestId: RequestID(UUID()), kind: .update(customerNumber: number), linkId: link, patch: FieldPatch(fields), supersedes: supersedes,
            reason: .sourceChanged)
    }

    func withEconomicWorker(
        _ configuration: OutboundWorkerConfiguration = testConfiguration(),
        _ body: @Sendable (EventStore, TenantID, Sandbox) async throws -> Void
    ) async throws {
        try await withOutboundStore { store, database, acme, _ in
            try await Sandbox.run { sandbox in
                let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
                try await credentials.setEconomic(sandbox.connection, for: acme)
                try await withWorkers([configuration], store: store, database: database, credentials: credentials) { _ in
                    try await body(store, acme, sandbox)
                }
            }
        }
    }

    @Test("updates overwrite edits (hole 1): a Stripe rename after an accountant's edit of name and zip keeps both, and says the name moved")
    func targetMovedIsKept() async throws {
        try await withEconomicWorker { store, acme, sandbox in
            let number = try await seed(sandbox, ["zip": "1000", "city": "Copenhagen"])
            try await edit(sandbox, number, ["name": "Accountant A/S", "zip": "2000"])
            let replacedBefore = try await sandbox.stats().customersReplaced
            let request = update(number, ["name": FieldWrite(value: "Stripe Rename", base: "Patch Test A/S", kind: .text)])
            try await OutboundStream(store: store).submit(.economic(request), of: acme)
            let state = try #require(try await settle([request.requestId], acme, store)[request.requestId])
            #expect(state.status == .succeeded)
            #expect(state.result?.targetMoved == ["name": "Accountant A/S"])
            let after = try #require(try await sandbox.client().customer(number: number))
            #expect(after.name == "Accountant A/S" && after.zip == "2000" && after.city == "Copenhagen")
            #expect(try await sandbox.stats().customersReplaced == replacedBefore, "nothing left to write: no PUT")
        }
    }

    @Test("updates overwrite edits (hole 1): an accountant's edit of a field Accord does not manage survives an update")
    func unmappedEditSurvives() async throws {
        try await withEconomicWorker { store, acme, sandbox in
            let number = try await seed(sandbox, ["city": "Vejle", "website": "https://before.example", "ean": "5790000000000"])
            // Accord last saw website=before; the accountant changes it (and the EAN) before the update is sent.
            try await edit(sandbox, number, ["website": "https://accountant.example", "ean": "5790000000001", "paymentTerms": "2"])
            let request = update(number, ["city": FieldWrite(value: "Odense", base: "Vejle", kind: .text)])
            try await OutboundStream(store: store).submit(.economic(request), of: acme)
            let state = try #require(try await settle([request.requestId], acme, store)[request.requestId])
            #expect(state.status == .succeeded && state.result?.targetMoved == [:])
            #expect(state.result?.written["city"] == "Odense")
            let after = try #require(try await sandbox.client().customer(number: number))
            #expect(after.city == "Odense")
            #expect(after.website == "https://accountant.example" && after.ean == "5790000000001" && after.paymentTerms?.number == 2)
        }
    }

    @Test("clears do nothing (hole 2): a cleared field arrives in e-conomic as cleared")
    func clearReachesEconomic() async throws {
        try await withEconomicWorker { store, acme, sandbox in
            let number = try await seed(sandbox, ["telephoneAndFaxNumber": "+45 12 34 56 78", "city": "Vejle"])
            let request = update(number, ["telephoneAndFaxNumber": FieldWrite(value: "", base: "+45 12 34 56 78", kind: .phone)])
            try await OutboundStream(store: store).submit(.economic(request), of: acme)
            let state = try #require(try await settle([request.requestId], acme, store)[request.requestId])
            #expect(state.status == .succeeded)
            #expect(state.result?.written["telephoneAndFaxNumber"] == "", "the link learns what e-conomic holds now: nothing")
            let after = try #require(try await sandbox.client().customer(number: number))
            #expect(after.telephoneAndFaxNumber == nil && after.city == "Vejle")
        }
    }

    @Test("clears do nothing (hole 2): cleared fields arrive in Stripe as cleared, other fields untouched")
    func clearReachesStripe() async throws {
        try await withOutboundStore { store, database, acme, _ in
            let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
            try await credentials.setStripe(try LocalStripe.connection(), for: acme)
            let stripe = try LocalStripe.client()
            let customer = try await stripe.createCustomer(
                fields: [
                    .name: "Clear Test", .email: "clear-\(UUID().uuidString.prefix(8).lowercased())@accord.test", .phone: "+45 12 34 56 78",
                    .addressLine1: "Main Street 1", .addressCity: "Aarhus", .addressPostalCode: "8000", .addressCountry: "DK",
                ], metadata: ["note": "x"])
            let request = StripeWriteRequested(
                requestId: RequestID(UUID()), customerId: customer.id,
                kind: .patch(
                    FieldPatch([
                        "phone": FieldWrite(value: "", base: "+45 12 34 56 78", kind: .phone),
                        "address.city": FieldWrite(value: "", base: "Aarhus", kind: .text),
                        "metadata.note": FieldWrite(value: "", base: "x", kind: .text),
                    ])), linkId: LinkID(UUID()), reason: .economicChanged)
            try await withWorkers([testConfiguration()], store: store, database: database, credentials: credentials) { _ in
                try await OutboundStream(store: store).submit(.stripe(request), of: acme)
                let state = try #require(try await settle([request.requestId], acme, store)[request.requestId])
                #expect(state.status == .succeeded && state.result?.targetMoved == [:])
                #expect(state.result?.written == ["phone": "", "address.city": "", "metadata.note": ""])
            }
            let after = try #require(try await stripe.customer(id: customer.id).customer)
            #expect((after.phone ?? "").isEmpty)
            #expect((after.address?.city ?? "").isEmpty)
            #expect((after.metadata["note"] ?? "").isEmpty)
            #expect(after.address?.line1 == "Main Street 1" && after.address?.postalCode == "8000" && after.name == "Clear Test")
        }
    }

    @Test("a Stripe field changed since Accord last looked is kept, the others written")
    func stripeTargetMovedIsKept() async throws {
        try await withOutboundStore { store, database, acme, _ in
            let credentials = CredentialStore(pool: store.pool, cipher: CredentialCipher(current: .generate()), logger: database.logger)
            try await credentials.setStripe(try LocalStripe.connection(), for: acme)
            let stripe = try LocalStripe.client()
            let customer = try await stripe.createCustomer(fields: [
                .name: "Moved Test", .email: "moved-\(UUID().uuidString.prefix(8).lowercased())@accord.test",
            ])
            _ = try await stripe.updateCustomer(customerID: customer.id, fields: [.name: "Edited In Stripe"], idempotencyKey: nil)
            let request = StripeWriteRequested(
                requestId: RequestID(UUID()), customerId: customer.id,
                kind: .patch(
                    FieldPatch([
                        "name": FieldWrite(value: "From e-conomic", base: "Moved Test", kind: .text),
                        "phone": FieldWrite(value: "+45 87 65 43 21", base: "", kind: .phone),
                    ])), linkId: LinkID(UUID()), reason: .economicChanged)
            try await withWorkers([testConfiguration()], store: store, database: database, credentials: credentials) { _ in
                try await OutboundStream(store: store).submit(.stripe(request), of: acme)
                let state = try #require(try await settle([request.requestId], acme, store)[request.requestId])
                #expect(state.status == .succeeded)
                #expect(state.result?.targetMoved == ["name": "Edited In Stripe"])
                #expect(state.result?.written == ["phone": "+45 87 65 43 21"])
            }
            let after = try #require(try await stripe.customer(id: customer.id).customer)
            #expect(after.name == "Edited In Stripe" && after.phone == "+45 87 65 43 21")
        }
    }

    @Test("per-link order: an older failed update retried after a newer one never wins")
    func olderFailedUpdateNeverWins() async throws {
        var configuration = testConfiguration()
        // The older request's retry is due only minutes later, long after the newer one is sent however loaded the
        // machine (were it due first, it would simply be sent first, oldest first, which is no test of this).
        configuration.retryPolicy = .exponentialJitter(base: 600, multiplier: 2, maxDelay: 600, maxAttempts: 8)
        try await withEconomicWorker(configuration) { store, acme, sandbox in
            let number = try await seed(sandbox, ["city": "Vejle"])
            let link = LinkID(UUID())
            let older = update(number, link: link, ["city": FieldWrite(value: "Aarhus", base: "Vejle", kind: .text)])
            _ = try await sandbox.admin(.POST, "/_sandbox/faults", json: #"{"next": ["serverError"]}"#)
            try await OutboundStream(store: store).submit(.economic(older), of: acme)
            try await eventually("the older update to fail once") {
                guard case .retrying = try await snapshot(older.requestId, acme, store).state.status else { return false }
                return true
            }
            // The source changed again: the newer request carries the older one forward, as the synchroniser makes it.
            let newer = update(
                number, link: link, supersedes: [older.requestId],
                ["city": FieldWrite(value: "Odense", base: "Vejle", superseded: ["Aarhus"], kind: .text)])
            try await OutboundStream(store: store).submit(.economic(newer), of: acme)
            let state = try #require(try await settle([newer.requestId], acme, store)[newer.requestId])
            #expect(state.status == .succeeded && state.result?.written["city"] == "Odense")
            #expect(try await snapshot(older.requestId, acme, store).state.status == .superseded(by: newer.requestId))
            try await eventually("the queue to show the older request superseded") {
                try await OutboundQueue(store: store).request(older.requestId, of: acme)?.status == .superseded
            }
            let row = try #require(try await OutboundQueue(store: store).request(older.requestId, of: acme))
            #expect(row.errorCode == OutboundQueueStatus.supersededCode && row.nextAttemptAt == nil)
            #expect(row.errorMessage?.contains(newer.requestId.description) == true)
            // Superseded, it is never attempted again (the decider refuses any outcome but a found success), and the
            // newer value stands.
            #expect(try await snapshot(older.requestId, acme, store).state.status == .superseded(by: newer.requestId))
            #expect(try await sandbox.client().customer(number: number)?.city == "Odense")
        }
    }

    @Test("per-link order: without the newer request naming it, an older update sent late still cannot overwrite the newer value")
    func olderUpdateSentLateFindsTheTargetMoved() async throws {
        try await withEconomicWorker { store, acme, sandbox in
            let number = try await seed(sandbox, ["city": "Vejle"])
            let newer = update(number, ["city": FieldWrite(value: "Odense", base: "Vejle", kind: .text)])
            try await OutboundStream(store: store).submit(.economic(newer), of: acme)
            _ = try await settle([newer.requestId], acme, store)
            let older = update(number, ["city": FieldWrite(value: "Aarhus", base: "Vejle", kind: .text)])
            try await OutboundStream(store: store).submit(.economic(older), of: acme)
            let state = try #require(try await settle([older.requestId], acme, store)[older.requestId])
            #expect(state.result?.targetMoved == ["city": "Odense"])
            #expect(try await sandbox.client().customer(number: number)?.city == "Odense")
        }
    }

    @Test("an update stored before bases existed (schema 1) still decodes and is sent as before: laid over the live customer")
    func storedSchemaOneUpdateIsSentAsBefore() async throws {
        try await withEconomicWorker { store, acme, sandbox in
            let number = try await seed(sandbox, ["city": "Vejle", "website": "https://kept.example"])
            try await edit(sandbox, number, ["name": "Accountant A/S"])
            let id = RequestID(UUID())
            let json = """
                {"requestId":"\(id)","kind":{"update":{"customerNumber":\(number)}},"linkId":"\(LinkID(UUID()))",\
                "payload":{"name":"Stored Name","city":"Aarhus"},"matchKeys":[],"reason":"sourceChanged"}
                """
            try await store.append(
                [NewEvent(type: EconomicWriteRequested.typeName, schemaVersion: 1, data: PGJSON(text: json))],
                to: OutboundStream.streamID(id), of: acme, expecting: .noStream)
            let state = try #require(try await settle([id], acme, store)[id])
            #expect(state.status == .succeeded && state.result?.targetMoved == [:])
            let after = try #require(try await sandbox.client().customer(number: number))
            #expect(after.name == "Stored Name" && after.city == "Aarhus", "schema 1 had no bases: its values are laid over, as they were")
            #expect(after.website == "https://kept.example")
        }
    }
}
