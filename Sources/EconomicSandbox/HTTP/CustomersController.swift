import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationCompat

/// `/customers` and `/customers/{customerNumber}`.
struct CustomersController {
    let store: SandboxStore
    let publicBaseURL: String?

    func addRoutes(to router: Router<SandboxRequestContext>) {
        router.get("customers") { request, context in try await list(request, context) }
        router.post("customers") { request, context in try await create(request, context) }
        router.put("customers") { _, _ -> Response in throw SandboxError.methodNotAllowed() }
        router.delete("customers") { _, _ -> Response in throw SandboxError.methodNotAllowed() }
        router.get("customers/:customerNumber") { request, context in
            let base = request.sandboxBaseURL(publicBaseURL)
            guard let customer = await store.read(number: try number(context)) else { throw SandboxError.notFound() }
            return try SandboxError.jsonResponse(status: .ok, body: CustomerRepresentation(customer, base: base))
        }
        router.put("customers/:customerNumber") { request, context in
            let base = request.sandboxBaseURL(publicBaseURL)
            let number = try number(context)
            let body = try await request.jsonObject()
            let customer = try await store.replaceCustomer(number: number, body, baseURL: base)
            return try SandboxError.jsonResponse(status: .ok, body: CustomerRepresentation(customer, base: base))
        }
        router.delete("customers/:customerNumber") { _, context in
            try await store.deleteCustomer(number: try number(context))
            return Response(status: .noContent)
        }
        router.post("customers/:customerNumber") { _, _ -> Response in throw SandboxError.methodNotAllowed() }
    }

    private func number(_ context: SandboxRequestContext) throws(SandboxError) -> Int {
        guard let text = context.parameters.get("customerNumber"), let number = Int(text) else { throw .notFound() }
        return number
    }

    private func list(_ request: Request, _ context: SandboxRequestContext) async throws -> Response {
        let base = request.sandboxBaseURL(publicBaseURL)
        let query = request.sandboxQuery
        let page = try PageRequest(query: query)
        var filter: CustomerFilter?
        var sort = CustomerSort.byNumber
        var extraQuery = ""
        do {
            if let text = query["filter"], !text.isEmpty {
                filter = try CustomerFilter.parse(text)
                extraQuery += "&filter=\(text.queryEncoded)"
            }
            if let text = query["sort"], !text.isEmpty {
                sort = try CustomerSort.parse(text)
                extraQuery += "&sort=\(text.queryEncoded)"
            }
        } catch {
            throw SandboxError.invalidFilter(error.message)
        }
        let result = await store.customers(filter: filter, sort: sort, skipPages: page.skipPages, pageSize: page.pageSize)
        let envelope = CollectionEnvelope(
            collection: result.items.map { CustomerRepresentation($0, base: base) },
            pagination: page.pagination(
                collectionURL: "\(base)/customers", extraQuery: extraQuery, results: result.results,
                resultsWithoutFilter: result.resultsWithoutFilter),
            metaData: .init(create: MetaAction(description: "Create a new customer", href: "\(base)/customers", httpMethod: "post")),
            self: request.selfLink(base: base)
        )
        return try SandboxError.jsonResponse(status: .ok, body: envelope)
    }

    private func create(_ request: Request, _ context: SandboxRequestContext) async throws -> Response {
        let base = request.sandboxBaseURL(publicBaseURL)
        let body = try await request.jsonObject()
        let customer = try await store.createCustomer(body, baseURL: base)
        let representation = CustomerRepresentation(customer, base: base)
        return try SandboxError.jsonResponse(status: .created, body: representation, headers: [.location: representation.`self`])
    }
}

extension Request {
    /// Reads a JSON object body: 415 unless `Content-Type` is JSON, 400 unless the body is a JSON object.
    func jsonObject(limit: Int = 4 << 20) async throws -> [String: JSONValue] {
        let contentType = headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") || contentType.contains("+json") else {
            throw SandboxError.unsupportedMediaType()
        }
        let buffer = try await body.collect(upTo: limit)
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer)) else {
            throw SandboxError.badRequest("The request body is not valid JSON.", hint: "Send one JSON object.")
        }
        guard case .object(let object) = value else {
            throw SandboxError.badRequest("The request body must be a JSON object.", hint: "Send one JSON object, not an array or a value.")
        }
        return object
    }

    /// The request's own URL, query included, as a collection's `self`.
    func selfLink(base: String) -> String {
        base + uri.path + (uri.query.map { $0.isEmpty ? "" : "?" + $0 } ?? "")
    }
}

extension String {
    /// Percent-encodes everything but unreserved characters, so the value survives in a query string.
    var queryEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
