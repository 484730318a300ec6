import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import SyncDomain
import SyncEngine
import Testing

/// Where a saved change of mappings stands in reaching the linked pairs, in the API and on the settings page, with
/// pause and resume.
@Suite("a change of mappings being applied, seen and paused", .timeLimit(.minutes(5)))
struct SettingsApplicationRouteTests {
    /// Two linked pairs, then the phone mapped (it was not): the change is recorded, not yet applied.
    static func changeMappings(_ harness: ServerHarness) async throws {
        var settings = TenantSettings.default
        settings.fieldMappings = FieldMapping.defaults.filter { $0.economic != EconomicField.telephoneAndFaxNumber.rawValue }
        try await harness.handler.updateSettings(settings, expectedVersion: 0, tenant: harness.acme, metadata: ServerHarness.user)
        for (number, name) in [(1, "anna"), (2, "bo")] {
            try await harness.observe(.economic(number), ["name": name, "email": "\(name)@example.com", "currency": "DKK"])
            try await harness.observe(.stripe("cus_\(name)"), ["name": name, "email": "\(name)@example.com", "phone": "+45 2\(number)"])
        }
        try await harness.settle()
        settings.fieldMappings = FieldMapping.defaults
        try await harness.handler.updateSettings(settings, expectedVersion: 1, tenant: harness.acme, metadata: ServerHarness.user)
        try await harness.settle(applying: false)
    }

    @Test("GET answers 404 before any change, then the application; pause and resume answer it, or 409 when there is nothing to do")
    func api() async throws {
        try await ServerHarness.run { harness in
            try await harness.withClient { client throws in
                let none = try await client.get("/api/v1/settings/application", key: harness.acmeKey)
                #expect(none.status == .notFound && none.errorCode == "not_found")
                #expect(try await client.request(.post, "/api/v1/settings/application/pause", key: harness.acmeKey).errorCode == "not_running")

                try await Self.changeMappings(harness)
                let running = try await client.get("/api/v1/settings/application", key: harness.acmeKey)
                #expect(running.status == .ok)
                let body = try running.json()
                #expect(body["state"] as? String == "running" && body["total"] as? Int == 2 && body["done"] as? Int == 0)
                #expect(body["settingsVersion"] as? Int == 2)
                #expect(body["phase"] as? String == "links" && body["appliesLinks"] as? Bool == true && body["failures"] == nil, "\(body)")
                #expect((body["summary"] as? String)?.contains("to 2 linked pairs") == true, "\(body)")
                #expect(try await client.get("/api/v1/settings/application", key: harness.globexKey).status == .notFound, "another tenant's is not shown")

                let paused = try await client.request(.post, "/api/v1/settings/application/pause", key: harness.acmeKey)
                #expect(paused.status == .ok)
                #expect(try paused.json()["state"] as? String == "paused")
                try await harness.applications.applyAll()
                #expect((try await client.get("/api/v1/settings/application", key: harness.acmeKey).json())["done"] as? Int == 0)
                let again = try await client.request(.post, "/api/v1/settings/application/pause", key: harness.acmeKey)
                #expect(again.status == .conflict && again.errorCode == "not_running")

                let resumed = try await client.request(.post, "/api/v1/settings/application/resume", key: harness.acmeKey)
                #expect(resumed.status == .ok)
                #expect(try resumed.json()["state"] as? String == "running")
                #expect(try await client.request(.post, "/api/v1/settings/application/resume", key: harness.acmeKey).errorCode == "not_paused")
                try await harness.settle()
                let finished = try await client.get("/api/v1/settings/application", key: harness.acmeKey).json()
                #expect(finished["state"] as? String == "finished" && finished["done"] as? Int == 2 && finished["finishedAt"] is String)
            }
        }
    }

    @Test("the settings page shows the progress with Pause, then Resume, and pausing says what it means")
    func page() async throws {
        try await ServerHarness.run { harness in
            try await Self.changeMappings(harness)
            try await harness.withClient { client throws in
                let cookie = try await client.login(harness.acmeKey)
                let page = try await client.get("/ui/settings", cookie: cookie)
                #expect(page.text.contains("Applying settings version 2 to 2 linked pairs: 0 done."), "\(page.text)")
                #expect(page.text.contains(#"action="/ui/settings/application/pause""#))
                let token = try #require(page.csrfToken)

                let paused = try await client.postForm("/ui/settings/application/pause", [("_csrf", token)], cookie: cookie)
                #expect(paused.status == .seeOther)
                let after = try await client.get(try #require(paused.headers[.location]), cookie: cookie + "; " + (paused.flashCookie ?? ""))
                #expect(after.text.contains("Paused. The linked pairs done so far keep the new mappings"))
                #expect(after.text.contains(#"action="/ui/settings/application/resume""#))
                #expect(after.text.contains("Paused after 0 of 2 linked pairs"))

                let resumed = try await client.postForm("/ui/settings/application/resume", [("_csrf", token)], cookie: cookie)
                #expect(resumed.status == .seeOther)
                try await harness.settle()
                let done = try await client.get("/ui/settings", cookie: cookie)
                #expect(done.text.contains("Settings version 2 was applied to 2 linked pairs."))
                #expect(!done.text.contains("/ui/settings/application/"))
            }
        }
    }
}
