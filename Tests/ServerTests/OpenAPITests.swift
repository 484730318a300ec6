import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Server

/// The OpenAPI document (`Sources/Server/Resources/openapi.json`) against the router: a route registered without
/// being described, or described without being registered, fails here. Its responses are checked against a live
/// server by schemathesis in `ops/test.sh` (`ops/schemathesis.sh`).
@Suite("OpenAPI document")
struct OpenAPITests {
    /// The document as served.
    static func served(_ client: TestClient) async throws -> [String: Any] {
        let response = try await client.get(OpenAPIController.path)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
        return try response.json()
    }

    @Test("every /api/v1 route of the router is described, with its method, and every described operation is a route")
    func coversEveryRoute() async throws {
        try await MemoryHarness.run { harness in
            let router = AccordServer.buildRouter(configuration: harness.configuration, controllers: harness.controllers, metrics: harness.metrics)
            let registered = Set(
                router.routes.map { "\($0.method.rawValue) \($0.path.description)" }.filter { $0.split(separator: " ")[1].hasPrefix("/api/v1/") })
            try await harness.withClient { client in
                let document = try await Self.served(client)
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                let methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
                let described = Set(
                    paths.flatMap { path, item in item.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" } })
                #expect(registered.count >= 27)
                #expect(registered.subtracting(described).sorted() == [], "registered but not described in openapi.json")
                #expect(described.subtracting(registered).sorted() == [], "described in openapi.json but not registered")
            }
        }
    }

    @Test(
        "the document is OpenAPI 3.1, served without an API key: every operation has responses, every $ref resolves, every path parameter is declared"
    )
    func isOpenAPI31() async throws {
        try await MemoryHarness.run { harness in
            try await harness.withClient { client in
                let document = try await Self.served(client)
                let version = try #require(document["openapi"] as? String)
                #expect(version.hasPrefix("3.1."))
                let info = try #require(document["info"] as? [String: Any])
                #expect(info["title"] is String && info["version"] is String)
                let schemes = try #require((document["components"] as? [String: Any])?["securitySchemes"] as? [String: [String: Any]])
                #expect(schemes["apiKey"]?["type"] as? String == "http")
                #expect(schemes["apiKey"]?["scheme"] as? String == "bearer")
                #expect((document["security"] as? [[String: Any]])?.first?.keys.first == "apiKey")

                var refs: [String] = []
                Self.collectRefs(document, into: &refs)
                #expect(!refs.isEmpty)
                for ref in Set(refs) { #expect(Self.resolve(ref, in: document) != nil, "unresolved \(ref)") }

                let paths = try #require(document["paths"] as? [String: [String: Any]])
                for (path, item) in paths {
                    let shared = item["parameters"] as? [[String: Any]] ?? []
                    for (method, value) in item where method != "parameters" {
                        let operation = try #require(value as? [String: Any], "\(method) \(path)")
                        #expect(operation["operationId"] is String, "\(method) \(path) has no operationId")
                        let responses = try #require(operation["responses"] as? [String: Any], "\(method) \(path) has no responses")
                        #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(method) \(path) has no success response")
                        let declared = (shared + (operation["parameters"] as? [[String: Any]] ?? []))
                            .compactMap { ($0["$ref"] as? String).flatMap { Self.resolve($0, in: document) as? [String: Any] } ?? $0 }
                            .filter { $0["in"] as? String == "path" }.compactMap { $0["name"] as? String }
                        let templated = path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
                        #expect(Set(declared) == Set(templated), "\(method) \(path): path parameters \(declared) vs \(templated)")
                    }
                }
            }
        }
    }

    @Test("an error answer has the shape and one of the codes the document's Error schema names")
    func errorBodyMatches() async throws {
        try await MemoryHarness.run { harness in
            try await harness.withClient { client in
                let document = try await Self.served(client)
                let schema = try #require(Self.resolve("#/components/schemas/Error", in: document) as? [String: Any])
                let body = try #require((schema["properties"] as? [String: Any])?["error"] as? [String: Any])
                let codes = try #require(((body["properties"] as? [String: Any])?["code"] as? [String: Any])?["enum"] as? [String])
                #expect(Set(body["required"] as? [String] ?? []) == ["code", "message"])
                let requests: [(uri: String, key: String?)] = [
                    ("/api/v1/overview", nil), ("/api/v1/links/not-a-uuid", harness.acmeKey), ("/api/v1/customers?limit=0", harness.acmeKey),
                ]
                for (uri, key) in requests {
                    let response = try await client.get(uri, key: key)
                    let error = try #require(try response.json()["error"] as? [String: Any])
                    #expect(Set(error.keys) == ["code", "message"])
                    #expect(codes.contains(error["code"] as? String ?? ""), "\(uri): \(error)")
                }
            }
        }
    }

    static func collectRefs(_ value: Any, into refs: inout [String]) {
        if let object = value as? [String: Any] {
            if let ref = object["$ref"] as? String { refs.append(ref) }
            for member in object.values { collectRefs(member, into: &refs) }
        } else if let array = value as? [Any] {
            for element in array { collectRefs(element, into: &refs) }
        }
    }

    /// A local JSON pointer (`#/components/schemas/Error`) in the document.
    static func resolve(_ ref: String, in document: [String: Any]) -> Any? {
        guard ref.hasPrefix("#/") else { return nil }
        var current: Any = document
        for token in ref.dropFirst(2).split(separator: "/") {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let object = current as? [String: Any], let next = object[key] else { return nil }
            current = next
        }
        return current
    }
}
