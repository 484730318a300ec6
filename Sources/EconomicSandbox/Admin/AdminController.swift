import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationCompat

/// The sandbox's own API under `/_sandbox/…`. Not part of e-conomic; needs no tokens.
///
/// | method and path | body | does |
/// |---|---|---|
/// | `GET /_sandbox` | | lists these endpoints |
/// | `POST /_sandbox/reset` | `{"seed": "demo"\|"reference", "randomSeed": n}` (all optional) | back to the seed; clears stats, knobs, scheduled faults |
/// | `POST /_sandbox/customers` | `{"customers": [ … ], "generate": n, "namePrefix": "…"}` | adds customers (write shape, plus `lastUpdated`, `balance`) and/or n generated ones |
/// | `GET /_sandbox/stats` / `DELETE /_sandbox/stats` | | counters / reset counters |
/// | `GET /_sandbox/knobs` | | current knobs |
/// | `PUT /_sandbox/knobs` | ``SandboxKnobs`` (missing keys = defaults) | replaces the knobs |
/// | `PATCH /_sandbox/knobs` | some knob keys | changes only those |
/// | `GET /_sandbox/faults` / `POST /_sandbox/faults` | `{"next": ["rateLimit", "serverError", "dropResponse"]}` | queue faults for the next requests in scope |
/// | `PATCH /_sandbox/customers/{n}` | some customer fields in the write shape (`null` clears) | an accountant's edit, as in e-conomic's screens: applied in one step, no faults; `X-Sandbox-Changed` lists the fields whose value it changed |
/// | `GET /_sandbox/overwrites` | | accountant's edits an API `PUT` undid by writing back what it had read (``SandboxOverwrite``) |
struct AdminController {
    let store: SandboxStore
    let configuration: SandboxConfiguration

    /// The header of an accountant's edit that names the fields whose value it changed (an edit that sets a value the
    /// customer already holds changes nothing).
    static let changedFields = HTTPField.Name("X-Sandbox-Changed")!

    struct ResetRequest: Decodable {
        var seed: String?
        var randomSeed: UInt64?
    }

    struct SeedRequest: Decodable {
        var customers: [[String: JSONValue]]?
        var generate: Int?
        var namePrefix: String?
    }

    struct SeedResponse: Encodable {
        var created: [Int]
        var customerCount: Int
    }

    struct FaultsRequest: Decodable {
        var next: [SandboxFault]
    }

    struct FaultsResponse: Encodable {
        var next: [SandboxFault]
    }

    struct Index: Encodable {
        var description: String
        var endpoints: [String]
    }

    func addRoutes(to router: Router<SandboxRequestContext>) {
        let group = router.group("_sandbox")
        group.get { _, _ in
            try SandboxError.jsonResponse(
                status: .ok,
                body: Index(
                    description: "Accord's e-conomic sandbox admin API (not part of e-conomic). See docs/economic-sandbox.md.",
                    endpoints: [
                        "POST /_sandbox/reset", "POST /_sandbox/customers", "GET /_sandbox/stats", "DELETE /_sandbox/stats",
                        "GET /_sandbox/knobs", "PUT /_sandbox/knobs", "PATCH /_sandbox/knobs", "GET /_sandbox/faults", "POST /_sandbox/faults",
                        "PATCH /_sandbox/customers/{n}", "GET /_sandbox/overwrites",
                    ]))
        }
        group.post("reset") { request, _ in
            let body = try await decodeOptional(ResetRequest.self, request) ?? ResetRequest()
            let seed: SandboxSeed
            switch body.seed {
            case nil: seed = configuration.seed
            case "demo"?: seed = .demo
            case "reference"?: seed = .referenceData
            case let other?: throw SandboxError.badRequest("Unknown seed '\(other)'.", hint: "Use \"demo\" or \"reference\".")
            }
            await store.reset(to: seed, randomSeed: body.randomSeed)
            return try SandboxError.jsonResponse(status: .ok, body: await store.stats())
        }
        group.post("customers") { request, _ in
            let body = try await decode(SeedRequest.self, request)
            let base = request.sandboxBaseURL(configuration.publicBaseURL)
            var created = try await store.seedCustomers(body.customers ?? [], baseURL: base)
            if let count = body.generate {
                guard (0...100_000).contains(count) else {
                    throw SandboxError.badRequest("generate must be 0…100000.", hint: "Generate fewer customers per call.")
                }
                created += try await store.generateCustomers(count: count, namePrefix: body.namePrefix ?? "Generated Customer")
            }
            return try SandboxError.jsonResponse(
                status: .created, body: SeedResponse(created: created, customerCount: await store.stats().customerCount))
        }
        group.patch("customers/:customerNumber") { request, context in
            guard let text = context.parameters.get("customerNumber"), let number = Int(text) else { throw SandboxError.notFound() }
            let base = request.sandboxBaseURL(configuration.publicBaseURL)
            let changes = try await request.jsonObject()
            let (customer, changed) = try await store.editCustomer(number: number, changes: changes, baseURL: base) { customer in
                guard let data = try? JSONEncoder().encode(CustomerRepresentation(customer, base: base)),
                    let shape = try? JSONDecoder().decode([String: JSONValue].self, from: data)
                else { return [:] }
                return shape
            }
            var response = try SandboxError.jsonResponse(status: .ok, body: CustomerRepresentation(customer, base: base))
            response.headers[Self.changedFields] = changed.sorted().joined(separator: ",")
            return response
        }
        group.get("overwrites") { _, _ in
            try SandboxError.jsonResponse(status: .ok, body: await store.overwrites)
        }
        group.get("stats") { _, _ in
            try SandboxError.jsonResponse(status: .ok, body: await store.stats())
        }
        group.delete("stats") { _, _ in
            await store.resetStats()
            return Response(status: .noContent)
        }
        group.get("knobs") { _, _ in
            try SandboxError.jsonResponse(status: .ok, body: await store.knobs)
        }
        group.put("knobs") { request, _ in
            let knobs = try await decode(SandboxKnobs.self, request)
            return try await apply(knobs)
        }
        group.patch("knobs") { request, _ in
            var merged = try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(await store.knobs))
            for (key, value) in try await request.jsonObject() { merged[key] = value }
            let knobs: SandboxKnobs
            do {
                knobs = try JSONDecoder().decode(SandboxKnobs.self, from: JSONEncoder().encode(merged))
            } catch {
                throw SandboxError.badRequest("Invalid knobs.", hint: "\(error)")
            }
            return try await apply(knobs)
        }
        group.get("faults") { _, _ in
            try SandboxError.jsonResponse(status: .ok, body: FaultsResponse(next: await store.scheduledFaults))
        }
        group.post("faults") { request, _ in
            let body = try await decode(FaultsRequest.self, request)
            await store.schedule(body.next)
            return try SandboxError.jsonResponse(status: .ok, body: FaultsResponse(next: await store.scheduledFaults))
        }
    }

    private func apply(_ knobs: SandboxKnobs) async throws -> Response {
        let problems = knobs.problems
        guard problems.isEmpty else {
            throw SandboxError.badRequest("Invalid knobs: " + problems.joined(separator: "; ") + ".", hint: "See docs/economic-sandbox.md.")
        }
        await store.setKnobs(knobs)
        return try SandboxError.jsonResponse(status: .ok, body: knobs)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        guard let value = try await decodeOptional(type, request) else {
            throw SandboxError.badRequest("A JSON body is required.", hint: "See docs/economic-sandbox.md.")
        }
        return value
    }

    private func decodeOptional<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T? {
        let buffer = try await request.body.collect(upTo: 64 << 20)
        guard buffer.readableBytes > 0 else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch {
            throw SandboxError.badRequest("The request body could not be read.", hint: "\(error)")
        }
    }
}
