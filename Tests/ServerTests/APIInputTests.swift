import Foundation
import HTTPTypes
import HummingbirdTesting
import SyncDomain
import Testing

@testable import Server

/// Requests the OpenAPI document forbids are refused, and valid JSON is never called malformed — what schemathesis
/// found against a live server (`ops/schemathesis.sh`), pinned here without one.
@Suite("API input the document forbids")
struct APIInputTests {
    @Test("includeDeleted is true or false: anything else is 422, not read as false; a search over 200 characters is 422 before trimming")
    func customerListParameters() async throws {
        try await MemoryHarness.run { harness in
            try await harness.withClient { client in
                let key = harness.acmeKey
                for value in ["true", "false"] {
                    #expect(try await client.get("/api/v1/customers?includeDeleted=\(value)", key: key).status == .ok)
                }
                let garbage = try await client.get("/api/v1/customers?includeDeleted=null", key: key)
                #expect(garbage.status == .unprocessableContent)
                #expect(garbage.errorCode == "invalid_input")
                #expect(garbage.errorMessage?.contains("includeDeleted") == true)
                let padded = "%20" + String(repeating: "a", count: 199) + "%20"
                #expect(try await client.get("/api/v1/customers?search=\(padded)", key: key).status == .unprocessableContent)
                #expect(try await client.get("/api/v1/customers?search=%20anna%20", key: key).status == .ok)
            }
        }
    }

    @Test("valid JSON with a number the field cannot hold is 422 invalid_input naming the problem; only text that is not JSON is 400 malformed_json")
    func numberOutOfRange() async throws {
        try await MemoryHarness.run { harness in
            try await harness.withClient { client in
                let tiny = try await client.post(
                    "/api/v1/unpartnered/source/create-partners", key: harness.acmeKey,
                    json: #"{"numbering": {"mode": "explicit", "number": 2.5890419884777833e-42}}"#)
                #expect(tiny.status == .unprocessableContent)
                #expect(tiny.errorCode == "invalid_input")
                let huge = try await client.post(
                    "/api/v1/customers/stripe/cus_x/create-partner", key: harness.acmeKey,
                    json: #"{"numbering": {"mode": "explicit", "number": 1e300}}"#)
                #expect(huge.status == .unprocessableContent)
                let malformed = try await client.post("/api/v1/unpartnered/source/create-partners", key: harness.acmeKey, json: #"{"numbering": "#)
                #expect(malformed.status == .badRequest)
                #expect(malformed.errorCode == "malformed_json")
            }
        }
    }

    @Test("the customers page's search form (a GET form) finds a name with a space: browsers send it as '+'; a typed '+' (%2B) stays a plus")
    func searchFormSpaces() async throws {
        try await MemoryHarness.run { harness in
            try await harness.observe(.stripe("cus_bikes"), ["name": "Berlin Bikes GmbH", "email": "kontakt@berlin-bikes.example"])
            try await harness.observe(.stripe("cus_other"), ["name": "Other ApS", "email": "a+b@other.example"])
            try await harness.withClient { client in
                let cookie = try await client.login(harness.acmeKey)
                let spaced = try await client.get("/ui/customers?search=Berlin+Bikes&side=", cookie: cookie)
                #expect(spaced.status == .ok)
                #expect(spaced.text.contains("cus_bikes"))
                #expect(!spaced.text.contains("cus_other"))
                let plus = try await client.get("/ui/customers?search=a%2Bb", cookie: cookie)
                #expect(plus.text.contains("cus_other"))
                #expect(!plus.text.contains("cus_bikes"))
            }
        }
    }
}
