import Connectors
import Credentials
import EconomicSandbox
import Foundation
import PostgresTestSupport
import Testing

/// The README's by-hand order, with the `accord` executable: every ingest command on a database where
/// `accord serve` has never run (no read models exist there).
@Suite("ingest commands before `accord serve` ever ran", .timeLimit(.minutes(5)))
struct IngestCommandTests {
    @Test(
        "migrate, add a tenant, connect e-conomic, read it through 429s (twice: a deletion is noticed), import a file, backfill Stripe through 429s")
    func byHand() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await Sandbox.run { sandbox in
                let accord = try AccordCLI(database: database, masterKey: MasterKey.generate().exportBase64())
                let migrate = try await accord("migrate")
                #expect(migrate.status == 0, "\(migrate)")
                let add = try await accord("tenant", "add", "acme", "--name", "Acme A/S")
                #expect(add.status == 0, "\(add)")
                let connect = try await accord(
                    "tenant", "connect", "economic", "acme", "--base-url", sandbox.baseURL, "--app-secret-token",
                    SandboxConfiguration.defaultAppSecretToken, "--agreement-grant-token", SandboxConfiguration.defaultAgreementGrantToken)
                #expect(connect.status == 0, "\(connect)")
                let settings = try await accord("settings", "show", "--tenant", "acme")
                #expect(settings.status == 0, "\(settings)")

                try await sandbox.generate(3)
                try await sandbox.knobs(#"{"scope": "customers", "retryAfterSeconds": 1}"#)
                try await sandbox.faults(["rateLimit", "rateLimit"])
                let read = try await accord("economic", "read", "--tenant", "acme")
                #expect(read.status == 0, "\(read)")
                #expect(read.stdout.contains("read 3 e-conomic customers; 3 new or changed, 0 deleted"), "\(read)")
                #expect(read.stderr.contains("waiting before asking again"), "the 429s were waited out: \(read)")

                #expect(try await sandbox.client.deleteCustomer(number: 3))
                let again = try await accord("economic", "read", "--tenant", "acme")
                #expect(again.status == 0, "\(again)")
                #expect(again.stdout.contains("read 2 e-conomic customers; 0 new or changed, 1 deleted"), "\(again)")

                let file = FileManager.default.temporaryDirectory.appendingPathComponent("accord-cli-\(UUID().uuidString).csv")
                try "customer_number;name;email\n1001;Fiskehuset Aps;ordre@fiskehuset.example\n".write(to: file, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(at: file) }
                let imported = try await accord("import", file.path, "--tenant", "acme")
                #expect(imported.status == 0, "\(imported)")

                try await FakeStripe.run(customers: 3, rateLimited: 2) { stripe in
                    let connectStripe = try await accord(
                        "tenant", "connect", "stripe", "acme", "--api-base", stripe.baseURL, "--secret-key", "sk_test_fake")
                    #expect(connectStripe.status == 0, "\(connectStripe)")
                    let backfill = try await accord("stripe", "backfill", "--tenant", "acme")
                    #expect(backfill.status == 0, "\(backfill)")
                    #expect(backfill.stdout.contains("read 3 Stripe customers; 3 new or changed"), "\(backfill)")
                    #expect(backfill.stderr.contains("waiting before asking again"), "the 429s were waited out: \(backfill)")
                }
            }
        }
    }
}
