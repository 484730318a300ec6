import Credentials
import Foundation
import PostgresTestSupport
import Testing

/// `accord history` with the executable, on a database where `accord serve` never ran (no read models exist there):
/// the history is read from the log alone.
@Suite("accord history", .timeLimit(.minutes(5)))
struct HistoryCommandTests {
    @Test("one line per entry, --json as the API answers, and clear errors for a malformed SYSTEM:ID, an unknown tenant or customer")
    func history() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let accord = try AccordCLI(database: database, masterKey: MasterKey.generate().exportBase64())
            #expect(try await accord("migrate").status == 0)
            #expect(try await accord("tenant", "add", "acme").status == 0)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("accord-history-\(UUID().uuidString).csv")
            defer { try? FileManager.default.removeItem(at: file) }
            try "customer_number;name;email\n1001;Fiskehuset Aps;ordre@fiskehuset.example\n".write(to: file, atomically: true, encoding: .utf8)
            #expect(try await accord("import", file.path, "--tenant", "acme").status == 0)
            try "customer_number;name;email\n1001;Fiskehuset ApS;ordre@fiskehuset.example\n".write(to: file, atomically: true, encoding: .utf8)
            #expect(try await accord("import", file.path, "--tenant", "acme").status == 0)

            let lines = try await accord("history", "--tenant", "acme", "file:1001")
            #expect(lines.status == 0, "\(lines)")
            let printed = lines.stdout.split(separator: "\n")
            #expect(printed.count == 2, "\(lines)")
            #expect(printed.first?.contains("observed") == true && printed.first?.contains("First seen in file") == true, "\(lines)")
            #expect(printed.last?.contains("name 'Fiskehuset Aps' → 'Fiskehuset ApS'") == true, "\(lines)")

            let json = try await accord("history", "--tenant", "acme", "file:1001", "--json")
            #expect(json.status == 0, "\(json)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(document["customer"] as? String == "file:1001")
            let entries = try #require(document["entries"] as? [[String: Any]])
            #expect(entries.map { $0["kind"] as? String } == ["observed", "observed"])
            #expect(entries.map { $0["type"] as? String } == ["CustomerObserved", "CustomerObserved"])

            let malformed = try await accord("history", "--tenant", "acme", "cus_123")
            #expect(malformed.status != 0 && malformed.stderr.contains("is not a customer: write SYSTEM:ID"), "\(malformed)")
            let noTenant = try await accord("history", "--tenant", "nobody", "file:1001")
            #expect(noTenant.status != 0 && noTenant.stderr.contains("tenant 'nobody' is not known"), "\(noTenant)")
            let noCustomer = try await accord("history", "--tenant", "acme", "stripe:cus_nobody")
            #expect(noCustomer.status != 0 && noCustomer.stderr.contains("customer stripe:cus_nobody is not known in tenant 'acme'"), "\(noCustomer)")
        }
    }
}
