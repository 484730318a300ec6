import Foundation
import HTTPTypes
import Testing

@testable import EconomicSandbox

/// An accountant's edit (`PATCH /_sandbox/customers/{n}`) and the edits an API write undoes by writing back a copy
/// read before them (`GET /_sandbox/overwrites`).
@Suite("Sandbox accountant edits and overwrites")
struct SandboxOverwriteTests {
    @Test("an edit changes only the fields it names, in one step; null clears; unknown customers are 404")
    func edit() async throws {
        try await RouterHarness.run { sandbox in
            let created = try await sandbox.send(
                .post, "/customers", RouterHarness.customerJSON("Anna", extra: #", "zip": "2100", "city": "Copenhagen""#))
            let number = try #require(created.json["customerNumber"] as? Int)
            let edited = try await sandbox.send(
                .patch, "/_sandbox/customers/\(number)", #"{"name": "Anna A/S", "city": null, "paymentTerms": {"paymentTermsNumber": 2}}"#)
            #expect(edited.status == 200, "\(edited.text)")
            let now = try await sandbox.send(.get, "/customers/\(number)").json
            #expect(now["name"] as? String == "Anna A/S")
            #expect(now["zip"] as? String == "2100", "left alone")
            #expect(now["city"] == nil, "cleared")
            #expect((now["paymentTerms"] as? [String: Any])?["paymentTermsNumber"] as? Int == 2)
            #expect(try await sandbox.send(.patch, "/_sandbox/customers/999999", #"{"name": "Nobody"}"#).status == 404)
            #expect(try await sandbox.send(.patch, "/_sandbox/customers/\(number)", #"{"name": ""}"#).status == 400, "validated like a PUT")
        }
    }

    @Test("an edit names the fields whose value it changed: a value set as the customer held it is no change")
    func changedFields() async throws {
        try await RouterHarness.run { sandbox in
            let created = try await sandbox.send(
                .post, "/customers", RouterHarness.customerJSON("Cai", extra: #", "zip": "2100", "country": "Denmark""#))
            let number = try #require(created.json["customerNumber"] as? Int)
            let edited = try await sandbox.send(
                .patch, "/_sandbox/customers/\(number)", #"{"country": "Denmark", "zip": "8000", "website": "https://cai.example"}"#)
            #expect(edited.status == 200, "\(edited.text)")
            #expect(edited.headers[HTTPField.Name("X-Sandbox-Changed")!] == "website,zip", "the country was set as it was")
            let again = try await sandbox.send(.patch, "/_sandbox/customers/\(number)", #"{"zip": "8000"}"#)
            #expect(again.headers[HTTPField.Name("X-Sandbox-Changed")!] == "")
        }
    }

    @Test("a PUT of a copy read before an edit undoes it and is listed; a PUT of a copy read after it is not")
    func overwrites() async throws {
        try await RouterHarness.run { sandbox in
            let created = try await sandbox.send(.post, "/customers", RouterHarness.customerJSON("Bo", extra: #", "zip": "2100""#))
            let number = try #require(created.json["customerNumber"] as? Int)

            // Read, then the accountant edits the zip and the website, then the reader writes its copy back with a new name.
            let read = try await sandbox.send(.get, "/customers/\(number)").text
            #expect(
                try await sandbox.send(.patch, "/_sandbox/customers/\(number)", #"{"zip": "8000", "website": "https://bo.example"}"#).status == 200)
            let stale = read.replacingOccurrences(of: #""name":"Bo""#, with: #""name":"Bo Berg""#)
            #expect(stale != read)
            #expect(try await sandbox.send(.put, "/customers/\(number)", stale).status == 200)
            let listed =
                try JSONSerialization.jsonObject(with: Data(try await sandbox.send(.get, "/_sandbox/overwrites").text.utf8)) as? [[String: Any]]
            let fields = Set((listed ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["zip", "website"])
            #expect(listed?.first { $0["field"] as? String == "zip" }?["edited"] as? String == #""8000""#)
            #expect(listed?.first { $0["field"] as? String == "zip" }?["written"] as? String == #""2100""#)

            // Read after an edit, then write: nothing undone.
            #expect(try await sandbox.send(.patch, "/_sandbox/customers/\(number)", #"{"zip": "9000"}"#).status == 200)
            let fresh = try await sandbox.send(.get, "/customers/\(number)").text
            #expect(try await sandbox.send(.put, "/customers/\(number)", fresh).status == 200)
            let after =
                try JSONSerialization.jsonObject(with: Data(try await sandbox.send(.get, "/_sandbox/overwrites").text.utf8)) as? [[String: Any]]
            #expect(after?.count == 2)
        }
    }
}
