import Connectors
import EventStore
import Foundation
import Ingest
import PostgresTestSupport
import SyncDomain
import Testing

@Suite("e-conomic full reads: deletions confirmed, 429s waited out, no read model needed", .timeLimit(.minutes(5)))
struct EconomicIngestTests {
    @Test("customers deleted in e-conomic while a full read pages through the list: only confirmed deletions are recorded")
    func deletionsWhilePaging() async throws {
        try await IngestHarness.run { harness in
            try await Sandbox.run { sandbox in
                let numbers = try await sandbox.generate(25)
                #expect(numbers == Array(1...25))
                let ingest = EconomicIngest(handler: harness.handler, store: harness.store, pageSize: 10, logger: harness.database.logger)
                let first = try await ingest.pass(client: sandbox.client, tenant: harness.tenant, since: nil)
                #expect(first.read == 25)
                #expect(first.changed == 25)

                // An accountant deletes the first customer of each page while the read goes on: 1 after page 1, 12 after
                // page 2. Customers 11 and 22 then slip between pages; the read does not list them, yet they exist.
                try await sandbox.knobs(#"{"deletesPerListedPage": 1}"#)
                let shifted = try await ingest.pass(client: sandbox.client, tenant: harness.tenant, since: nil)
                #expect(shifted.read == 23)
                #expect(shifted.missedByPaging == 2, "11 and 22 were asked for one by one and found")
                #expect(shifted.deleted == 0)
                #expect(try await harness.deletions().isEmpty, "no false deletion")

                // The next read lists neither 1 nor 12: e-conomic answers 404 for both, so both are recorded deleted.
                try await sandbox.knobs(#"{"deletesPerListedPage": 0}"#)
                let next = try await ingest.pass(client: sandbox.client, tenant: harness.tenant, since: nil)
                #expect(next.read == 23)
                #expect(next.deleted == 2)
                #expect(next.missedByPaging == 0)
                #expect(try await harness.deletions() == [.economic(1), .economic(12)])

                // Read again: nothing new is deleted (what is deleted stays deleted, and is not asked for again).
                let again = try await ingest.pass(client: sandbox.client, tenant: harness.tenant, since: nil)
                #expect(again.deleted == 0)
                #expect(again.changed == 0)
                #expect(try await harness.deletions().count == 2)
            }
        }
    }

    @Test("a full read works on a database where no projector ever ran, and notices a deletion there")
    func withoutReadModels() async throws {
        try await IngestHarness.run { harness in
            try await Sandbox.run { sandbox in
                try await sandbox.generate(3)
                let ingest = EconomicIngest(handler: harness.handler, store: harness.store, logger: harness.database.logger)
                #expect(try await ingest.pass(client: sandbox.client, tenant: harness.tenant, since: nil).read == 3)
                #expect(try await sandbox.client.deleteCustomer(number: 2))
                let pass = try await ingest.pass(client: sandbox.client, tenant: harness.tenant, since: nil)
                #expect(pass.read == 2)
                #expect(pass.deleted == 1)
                #expect(try await harness.deletions() == [.economic(2)])
            }
        }
    }

    @Test("429s while reading pages and confirming deletions are waited out for their Retry-After; the read completes")
    func rateLimited() async throws {
        try await IngestHarness.run { harness in
            try await Sandbox.run { sandbox in
                try await sandbox.generate(12)
                let waits = RecordedWaits()
                let ingest = EconomicIngest(
                    handler: harness.handler, store: harness.store, pageSize: 5, retry: waits.retry(policy: .exponentialJitter(maxAttempts: 1)),
                    logger: harness.database.logger)
                #expect(try await ingest.pass(client: sandbox.client, tenant: harness.tenant, since: nil).read == 12)
                #expect(try await sandbox.client.deleteCustomer(number: 7))
                try await sandbox.knobs(#"{"scope": "customers", "retryAfterSeconds": 4}"#)
                try await sandbox.faults(["rateLimit", "rateLimit", "rateLimit"])
                let pass = try await ingest.pass(client: sandbox.client, tenant: harness.tenant, since: nil)
                try await sandbox.faults(["rateLimit"])
                let incremental = try await ingest.pass(client: sandbox.client, tenant: harness.tenant, since: Date(timeIntervalSince1970: 0))
                #expect(pass.read == 11)
                #expect(pass.deleted == 1)
                #expect(incremental.read == 11)
                #expect(waits.all == Array(repeating: .seconds(4), count: 4), "each 429 waited its Retry-After; none used an attempt")
            }
        }
    }
}
