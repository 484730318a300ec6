import Connectors
import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import SyncDomain
import SyncEngine
import Testing

/// The customer-file export over PostgreSQL (issue 12, "both ways, to the end"): what Accord knows of the file
/// customers and the file cannot — a resolved conflict, a partner created for an e-conomic customer — goes out in
/// the import format, for the tenant only.
@Suite("Customer-file export", .timeLimit(.minutes(5)))
struct FileExportTests {
    @Test("a conflict resolved with e-conomic's value and a file partner made for an e-conomic customer are in the file; it imports back as written")
    func export() async throws {
        try await ServerHarness.run { harness in
            let vejle = CustomerRef.file("7001")
            try await harness.observe(vejle, ["name": "Vejle Cykler", "email": "post@vejle.example", "address.city": "Vejle", "metadata.seller": "Ole"])
            try await harness.observe(.economic(1), ["name": "Vejle Cykler", "email": "post@vejle.example", "city": "Kolding"])
            try await harness.observe(.economic(2), ["name": "Only In E-conomic ApS", "email": "only@economic.example", "city": "Aarhus"])
            try await harness.observe(.file("8001"), ["name": "Other Tenant's", "email": "x@globex.example"], tenant: harness.globex)
            try await harness.handler.selectPartner(source: vejle, economic: .economic(1), tenant: harness.acme, metadata: ServerHarness.user)
            try await harness.settle()
            try await harness.withClient { client in
                let key = harness.acmeKey
                let conflicts = try await client.get("/api/v1/conflicts", key: key).jsonItems()
                let link = try #require(conflicts.first?["linkId"] as? String, "the cities differ: a conflict")
                let resolved = try await client.post("/api/v1/conflicts/\(link)/resolve", key: key, json: #"{"choices":{"city":{"keep":"economic"}}}"#)
                #expect(resolved.status == .ok)
                let created = try await client.post(
                    "/api/v1/customers/economic/2/create-partner", key: key, json: #"{"numbering":{"mode":"sameAsSource"}}"#)
                #expect(created.status == .accepted, "\(created.text)")
                try await harness.settle()
                try await harness.waitForProjections()

                let export = try await client.get("/api/v1/exports/file-customers", key: key)
                #expect(export.status == .ok)
                #expect(export.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(export.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"accord-acme-file-customers-") == true)
                let items = try await CustomerFileReader().items(in: Array(export.text.utf8)).collect()
                let rows = items.compactMap { item -> [String: String]? in if case .row(let row) = item { row.fields } else { nil } }
                #expect(rows.count == 2, "\(export.text)")
                let byNumber = Dictionary(uniqueKeysWithValues: rows.map { ($0["customer_number"] ?? "", $0) })
                #expect(byNumber["7001"]?["address.city"] == "Kolding", "the resolution reaches the file: \(export.text)")
                #expect(byNumber["7001"]?["metadata.seller"] == "Ole")
                #expect(byNumber["2"]?["name"] == "Only In E-conomic ApS", "the partner made for e-conomic customer 2: \(export.text)")
                #expect(byNumber["2"]?["address.city"] == "Aarhus")
                #expect(!export.text.contains("Other Tenant"), "another tenant's customers are not exported")

                let page = try await client.get("/ui/exports/file-customers.csv", cookie: try await client.login(harness.acmeKey))
                #expect(page.status == .ok && page.text == export.text, "the page's download is the same file")
                #expect(try await client.get("/api/v1/exports/file-customers").status == .unauthorized)
            }
        }
    }
}
