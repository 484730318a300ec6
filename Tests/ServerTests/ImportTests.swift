import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import SyncDomain
import Testing

@Suite("imports through the API and the import page", .timeLimit(.minutes(5)))
struct ImportTests {
    /// Two good rows, three bad ones (no customer number, a malformed e-mail, an unknown country), an extra column.
    static let fileWithBadRows = """
        customer_number,name,email,country,Sælger
        1001,Anna Jensen,anna@example.com,DK,Bo
        ,No Number,nn@example.com,DK,Bo
        1002,Bo Berg,not-an-email,DK,Bo
        1003,Carl Hansen,carl@example.com,Atlantis,Bo
        1004,Dora Lund,dora@example.com,SE,Bo

        """

    @Test("a file with bad rows: 202 with a Location; the summary lists every bad row by row, column and reason; the good rows are imported")
    func badRows() async throws {
        try await ServerHarness.run { harness in
            try await harness.withClient { client throws in
                let upload = try await client.request(
                    .post, "/api/v1/imports?fileName=kunder.csv", key: harness.acmeKey, headers: [.contentType: "text/csv"],
                    body: Self.fileWithBadRows)
                #expect(upload.status == .accepted)
                let id = try #require(try upload.json()["importId"] as? String)
                #expect(upload.headers[.location] == "/api/v1/imports/\(id)")

                let status = try await Self.finished(id, client: client, key: harness.acmeKey)
                #expect(status["state"] as? String == "completed")
                #expect(status["fileName"] as? String == "kunder.csv")
                let summary = try #require(status["summary"] as? [String: Any])
                #expect(summary["added"] as? Int == 2 && summary["updated"] as? Int == 0 && summary["rejected"] as? Int == 3)
                let rejections = try #require(status["rejections"] as? [String: Any])
                #expect(rejections["total"] as? Int == 3)
                let items = try #require(rejections["items"] as? [[String: Any]])
                #expect(items.map { $0["row"] as? Int } == [3, 4, 5])
                #expect(items.map { $0["column"] as? String } == ["customer_number", "email", "country"])
                #expect((items[1]["reason"] as? String)?.contains("not-an-email") == true)
                #expect((items[2]["reason"] as? String)?.contains("Atlantis") == true)

                // The good rows are customers of the file side.
                let observed = try await harness.events().compactMap { event -> CustomerRef? in
                    if case .customerObserved(let observation) = event { observation.customer } else { nil }
                }
                #expect(Set(observed) == [.file("1001"), .file("1004")])

                let list = try await client.get("/api/v1/imports", key: harness.acmeKey).json()
                #expect(list["total"] as? Int == 1)
                let listed = try #require((list["items"] as? [[String: Any]])?.first)
                #expect(listed["importId"] as? String == id && listed["state"] as? String == "completed")

                // The page shows the counts and the rejected rows; the import page lists the file.
                let cookie = try await client.login(harness.acmeKey)
                let page = try await client.get("/ui/imports/\(id)", cookie: cookie)
                #expect(page.status == .ok)
                #expect(page.text.contains("Rejected rows") && page.text.contains("not-an-email") && page.text.contains("Atlantis"))
                #expect(try await client.get("/ui/imports", cookie: cookie).text.contains("kunder.csv"))

                // The same file again changes nothing.
                let again = try await client.request(.post, "/api/v1/imports", key: harness.acmeKey, body: Self.fileWithBadRows)
                #expect(try again.json()["importId"] as? String == id)
                let repeated = try await Self.finished(id, client: client, key: harness.acmeKey)
                #expect((repeated["summary"] as? [String: Any])?["added"] as? Int == 2)
                #expect(try await harness.events().count { if case .customerObserved = $0 { true } else { false } } == 2)

                // /metrics counts both imports, the completed one's rows, and none running. The same file again answers
                // with the first import's id, whose recorded status is already complete while the second run is still
                // being counted, so the counts are waited for.
                var metrics = try await client.get("/metrics").text
                let deadline = ContinuousClock.now.advanced(by: .seconds(30))
                while !(metrics.contains(#"accord_imports_total{result="already_imported"} 1"#) && metrics.contains("accord_imports_running 0")),
                    ContinuousClock.now < deadline
                {
                    try await Task.sleep(for: .milliseconds(50))
                    metrics = try await client.get("/metrics").text
                }
                #expect(metrics.contains(#"accord_imports_total{result="completed"} 1"#))
                #expect(metrics.contains(#"accord_imports_total{result="already_imported"} 1"#))
                #expect(metrics.contains(#"accord_import_rows_total{outcome="added"} 2"#))
                #expect(metrics.contains(#"accord_import_rows_total{outcome="rejected"} 3"#))
                #expect(metrics.contains("accord_imports_running 0"))
            }
        }
    }

    @Test("a file refused as a whole says why and records nothing")
    func invalidFile() async throws {
        try await ServerHarness.run { harness in
            try await harness.withClient { client throws in
                let upload = try await client.request(.post, "/api/v1/imports", key: harness.acmeKey, body: "name,email\nAnna,anna@example.com\n")
                #expect(upload.status == .accepted)
                let id = try #require(try upload.json()["importId"] as? String)
                let status = try await Self.finished(id, client: client, key: harness.acmeKey)
                #expect(status["state"] as? String == "failed")
                let error = try #require(status["error"] as? [String: Any])
                #expect(error["code"] as? String == "invalid_file")
                #expect((error["message"] as? String)?.contains("no customer number column") == true)
                #expect((error["message"] as? String)?.contains("/tmp") == false, "the temporary file's path is never shown")
                #expect(try await harness.events().isEmpty)
                #expect(try await client.get("/metrics").text.contains(#"accord_imports_total{result="invalid_file"} 1"#))

                let empty = try await client.request(.post, "/api/v1/imports", key: harness.acmeKey, body: "")
                #expect(empty.status == .unprocessableContent)
            }
        }
    }

    @Test("a file over the limit: 413 from the API and the page, and nothing imported")
    func oversize() async throws {
        try await ServerHarness.run { harness in
            try await harness.withClient { client throws in
                var big = "customer_number,name\n"
                var number = 1
                while big.utf8.count <= ServerHarness.importLimit {
                    big += "\(number),Customer number \(number)\n"
                    number += 1
                }
                let upload = try await client.request(.post, "/api/v1/imports", key: harness.acmeKey, body: big)
                #expect(upload.status == .contentTooLarge)
                #expect(upload.errorCode == "payload_too_large")

                let cookie = try await client.login(harness.acmeKey)
                let csrf = try #require(try await client.get("/ui/imports", cookie: cookie).csrfToken)
                let page = try await client.request(
                    .post, "/ui/imports", headers: Self.multipartHeaders(cookie: cookie), body: Self.multipart(csrf: csrf, file: big))
                #expect(page.status == .contentTooLarge)
                #expect(page.text.contains("larger than"))
                #expect(page.text.contains("id=\"file-problem\""), "the message is next to the file input")

                #expect(try await client.get("/api/v1/imports", key: harness.acmeKey).json()["total"] as? Int == 0)
                #expect(try await harness.events().isEmpty)
            }
        }
    }

    @Test("the import page uploads a multipart form with the session's token, refuses one without it, and shows the result")
    func pageUpload() async throws {
        try await ServerHarness.run { harness in
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let form = try await client.get("/ui/imports", cookie: cookie)
                #expect(form.status == .ok)
                #expect(form.text.contains("enctype=\"multipart/form-data\"") && form.text.contains("<label for=\"file\""))
                let csrf = try #require(form.csrfToken)

                let forged = try await client.request(
                    .post, "/ui/imports", headers: Self.multipartHeaders(cookie: cookie),
                    body: Self.multipart(csrf: "wrong", file: Self.fileWithBadRows))
                #expect(forged.status == .forbidden)
                let anonymous = try await client.request(
                    .post, "/ui/imports", headers: Self.multipartHeaders(cookie: nil), body: Self.multipart(csrf: csrf, file: Self.fileWithBadRows))
                #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/login")
                #expect(try await harness.events().isEmpty)

                let noFile = try await client.request(
                    .post, "/ui/imports", headers: Self.multipartHeaders(cookie: cookie), body: Self.multipart(csrf: csrf, file: ""))
                #expect(noFile.status == .unprocessableContent)
                #expect(noFile.text.contains("Choose a customer file"))

                let upload = try await client.request(
                    .post, "/ui/imports", headers: Self.multipartHeaders(cookie: cookie),
                    body: Self.multipart(csrf: csrf, file: Self.fileWithBadRows, fileName: "C:\\Users\\bo\\kunder.csv"))
                #expect(upload.status == .seeOther)
                let location = try #require(upload.headers[.location])
                #expect(location.hasPrefix("/ui/imports/"))
                let id = String(location.dropFirst("/ui/imports/".count))
                _ = try await Self.finished(id, client: client, key: harness.acmeKey)
                let page = try await client.get(location, cookie: cookie)
                #expect(page.text.contains("Import of kunder.csv"))
                #expect(page.text.contains("<td>4</td><td>email</td>"))
            }
        }
    }

    @Test("another tenant's import is not found, by the API or the pages, and not listed")
    func tenantIsolation() async throws {
        try await ServerHarness.run { harness in
            try await harness.withClient { client throws in
                let upload = try await client.request(.post, "/api/v1/imports", key: harness.acmeKey, body: Self.fileWithBadRows)
                let id = try #require(try upload.json()["importId"] as? String)
                _ = try await Self.finished(id, client: client, key: harness.acmeKey)

                let other = try await client.get("/api/v1/imports/\(id)", key: harness.globexKey)
                #expect(other.status == .notFound)
                #expect(try await client.get("/api/v1/imports", key: harness.globexKey).json()["total"] as? Int == 0)
                let cookie = try await client.login(harness.globexKey)
                #expect(try await client.get("/ui/imports/\(id)", cookie: cookie).status == .notFound)
                #expect(try await client.get("/api/v1/imports/not-an-id", key: harness.acmeKey).status == .notFound)
                #expect(try await client.get("/api/v1/imports").status == .unauthorized)
            }
        }
    }

    // MARK: Helpers

    /// Polls an import until it is completed or failed.
    static func finished(_ id: String, client: TestClient, key: String) async throws -> [String: Any] {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            let status = try await client.get("/api/v1/imports/\(id)", key: key).json()
            if let state = status["state"] as? String, state == "completed" || state == "failed" { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("import \(id) did not finish within 60 s")
        return [:]
    }

    static let boundary = "----accordTestBoundary7MA4YWxkTrZu0gW"

    static func multipartHeaders(cookie: String?) -> HTTPFields {
        var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
        if let cookie { headers[.cookie] = cookie }
        return headers
    }

    /// The import form as a browser sends it: the token first, then the file.
    static func multipart(csrf: String, file: String, fileName: String = "kunder.csv") -> String {
        let escaped = fileName.replacingOccurrences(of: "\\", with: "\\\\")
        return "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(escaped)\"\r\nContent-Type: text/csv\r\n\r\n"
            + file + "\r\n--\(boundary)--\r\n"
    }
}
