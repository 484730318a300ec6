public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A client for Stripe's Customers API over AsyncHTTPClient.
///
/// Every call makes exactly one HTTP request (no automatic retries): on failure it throws ``StripeAPIError``,
/// whose ``StripeAPIError/isRetryable`` and ``StripeAPIError/retryAfter`` feed the caller's retry policy.
/// Writes take an `Idempotency-Key`; reuse the same key when retrying the same write.
///
/// Works against Stripe and against localstripe (tests), whose divergences it absorbs: lists come oldest
/// first there (nothing here depends on order), and a deleted customer answers 404 instead of Stripe's stub
/// (``StripeCustomerLookup/notFound(id:)``).
public struct StripeClient: Sendable {
    /// The configuration in use.
    public let configuration: StripeConfiguration
    private let httpClient: HTTPClient
    private let logger: Logger

    /// Creates a client.
    /// - Parameters:
    ///   - configuration: base URL, key, version, timeout.
    ///   - httpClient: the HTTP client to use; its lifetime is the caller's.
    ///   - logger: where requests are logged (debug level; never the key).
    public init(configuration: StripeConfiguration, httpClient: HTTPClient = .shared, logger: Logger = StripeClient.silentLogger) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
    }

    /// A logger that drops everything (the default).
    public static let silentLogger = Logger(label: "accord.stripe", factory: { _ in SwiftLogNoOpLogHandler() })

    // MARK: Customers

    /// One page of customers (`GET /v1/customers`).
    /// - Parameters:
    ///   - limit: 1…100.
    ///   - startingAfter: the id of the last customer of the previous page (``StripeCustomerPage/nextCursor``).
    ///   - email: only customers with exactly this email (case-sensitive in Stripe).
    /// - Throws: ``StripeAPIError``.
    public func customers(limit: Int = 100, startingAfter: String? = nil, email: String? = nil) async throws(StripeAPIError)
        -> StripeCustomerPage
    {
        guard (1...100).contains(limit) else {
            throw StripeAPIError(kind: .invalidArgument, message: "limit must be between 1 and 100, not \(limit)")
        }
        var query = StripeForm()
        query.append("limit", String(limit))
        if let startingAfter { query.append("starting_after", startingAfter) }
        if let email { query.append("email", email) }
        if configuration.expandTaxIDs { query.append("expand[]", "data.tax_ids") }
        let response = try await send(.GET, "/v1/customers", query: query)
        return try decode(StripeCustomerPage.self, from: response)
    }

    /// Every customer, page by page (cursor paging with `starting_after`; no assumption about order).
    /// - Parameters:
    ///   - pageSize: customers per request, 1…100.
    ///   - email: only customers with exactly this email.
    public func allCustomers(pageSize: Int = 100, email: String? = nil) -> StripeCustomerSequence {
        StripeCustomerSequence(client: self, pageSize: pageSize, email: email)
    }

    /// Retrieves one customer (`GET /v1/customers/{id}`).
    /// - Returns: the customer, ``StripeCustomerLookup/deleted(id:)`` for Stripe's deleted stub, or
    ///   ``StripeCustomerLookup/notFound(id:)`` for a 404.
    /// - Throws: ``StripeAPIError`` for every other failure.
    public func customer(id: String) async throws(StripeAPIError) -> StripeCustomerLookup {
        var query = StripeForm()
        if configuration.expandTaxIDs { query.append("expand[]", "tax_ids") }
        let response: Response
        do {
            response = try await send(.GET, try customerPath(id), query: query)
        } catch  where error.isNotFound {
            return .notFound(id: id)
        }
        let customer = try decode(StripeCustomer.self, from: response)
        return customer.isDeleted ? .deleted(id: customer.id) : .customer(customer)
    }

    /// Sets or removes metadata keys (`POST /v1/customers/{id}` with `metadata[key]=value`). Keys not named are
    /// left alone. A `nil` or empty value removes the key (localstripe stores `""` instead of removing it).
    /// - Parameters:
    ///   - customerID: `cus_…`.
    ///   - metadata: key → new value, or `nil`/`""` to remove. Keys: 1–40 characters, no `[` or `]`.
    ///   - idempotencyKey: the `Idempotency-Key` (≤ 255 characters); reuse it when retrying this write.
    /// - Returns: the updated customer.
    /// - Throws: ``StripeAPIError``.
    public func updateMetadata(customerID: String, _ metadata: [String: String?], idempotencyKey: String?) async throws(StripeAPIError)
        -> StripeCustomer
    {
        guard !metadata.isEmpty else { throw StripeAPIError(kind: .invalidArgument, message: "no metadata to update") }
        var form = StripeForm()
        for key in metadata.keys.sorted() {
            try Self.checkMetadataKey(key)
            form.append("metadata[\(key)]", (metadata[key] ?? nil) ?? "")
        }
        return try await postCustomer(customerID: customerID, form: form, idempotencyKey: idempotencyKey)
    }

    /// Updates customer fields (`POST /v1/customers/{id}`): `name`, `email`, `phone`, `description`,
    /// `address[line1|line2|postal_code|city|state|country]`. A `nil` or empty value clears the field.
    ///
    /// Send every address part you want to keep when changing the address: Stripe may treat the address as one
    /// value (localstripe replaces it whole).
    /// - Parameters:
    ///   - customerID: `cus_…`.
    ///   - fields: field → new value, or `nil`/`""` to clear.
    ///   - idempotencyKey: the `Idempotency-Key`; reuse it when retrying this write.
    /// - Returns: the updated customer.
    /// - Throws: ``StripeAPIError``.
    public func updateCustomer(
        customerID: String, fields: [StripeCustomerField: String?], idempotencyKey: String?
    ) async throws(StripeAPIError) -> StripeCustomer {
        guard !fields.isEmpty else { throw StripeAPIError(kind: .invalidArgument, message: "no fields to update") }
        var form = StripeForm()
        for field in StripeCustomerField.allCases {
            guard let value = fields[field] else { continue }
            form.append(field.formKey, value ?? "")
        }
        return try await postCustomer(customerID: customerID, form: form, idempotencyKey: idempotencyKey)
    }

    /// Creates a customer (`POST /v1/customers`); used to seed localstripe in tests and the demo.
    /// - Parameters:
    ///   - fields: the fields to set (empty values are left out).
    ///   - metadata: metadata to set.
    ///   - taxIDData: tax ids to attach (`tax_id_data[n]`).
    ///   - idempotencyKey: the `Idempotency-Key`.
    /// - Returns: the new customer.
    /// - Throws: ``StripeAPIError``.
    public func createCustomer(
        fields: [StripeCustomerField: String] = [:], metadata: [String: String] = [:], taxIDData: [StripeTaxIDData] = [],
        idempotencyKey: String? = nil
    ) async throws(StripeAPIError) -> StripeCustomer {
        var form = StripeForm()
        for field in StripeCustomerField.allCases {
            guard let value = fields[field], !value.isEmpty else { continue }
            form.append(field.formKey, value)
        }
        for key in metadata.keys.sorted() {
            try Self.checkMetadataKey(key)
            form.append("metadata[\(key)]", metadata[key]!)
        }
        for (index, taxID) in taxIDData.enumerated() {
            form.append("tax_id_data[\(index)][type]", taxID.type)
            form.append("tax_id_data[\(index)][value]", taxID.value)
        }
        if configuration.expandTaxIDs { form.append("expand[]", "tax_ids") }
        let response = try await send(.POST, "/v1/customers", form: form, idempotencyKey: idempotencyKey)
        return try decode(StripeCustomer.self, from: response)
    }

    /// Deletes a customer (`DELETE /v1/customers/{id}`).
    /// - Throws: ``StripeAPIError`` (``StripeAPIError/isNotFound`` when it did not exist or was already deleted).
    public func deleteCustomer(id: String) async throws(StripeAPIError) {
        let response = try await send(.DELETE, try customerPath(id))
        let stub = try decode(StripeCustomer.self, from: response)
        guard stub.isDeleted else {
            throw StripeAPIError(
                kind: .invalidResponse, status: Int(response.status.code), message: "the answer to the deletion is not a deleted customer",
                requestID: response.requestID, request: "DELETE /v1/customers/\(id)")
        }
    }

    // MARK: Plumbing

    private func postCustomer(customerID: String, form: StripeForm, idempotencyKey: String?) async throws(StripeAPIError) -> StripeCustomer {
        var form = form
        if configuration.expandTaxIDs { form.append("expand[]", "tax_ids") }
        let response = try await send(.POST, try customerPath(customerID), form: form, idempotencyKey: idempotencyKey)
        return try decode(StripeCustomer.self, from: response)
    }

    private func customerPath(_ id: String) throws(StripeAPIError) -> String {
        guard !id.isEmpty, id.count <= 255 else {
            throw StripeAPIError(kind: .invalidArgument, message: "a customer id must be 1–255 characters")
        }
        return "/v1/customers/" + StripeForm.percentEncode(id)
    }

    private static func checkMetadataKey(_ key: String) throws(StripeAPIError) {
        guard !key.isEmpty, key.count <= 40, !key.contains("["), !key.contains("]") else {
            throw StripeAPIError(
                kind: .invalidArgument, message: "metadata key \"\(key)\" must be 1–40 characters without [ or ]", param: "metadata")
        }
    }

    struct Response: Sendable {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: ByteBuffer
        var request: String
        var requestID: String? { headers.first(name: "Request-Id") }
    }

    func send(
        _ method: HTTPMethod, _ path: String, query: StripeForm = StripeForm(), form: StripeForm? = nil, idempotencyKey: String? = nil
    ) async throws(StripeAPIError) -> Response {
        let description = "\(method.rawValue) \(path)"
        var request = HTTPClientRequest(url: configuration.apiBase + path + (query.isEmpty ? "" : "?" + query.encoded))
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.secretKey)")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let version = configuration.apiVersion { request.headers.add(name: "Stripe-Version", value: version) }
        if let idempotencyKey {
            guard !idempotencyKey.isEmpty, idempotencyKey.utf8.count <= 255 else {
                throw StripeAPIError(kind: .invalidArgument, message: "an Idempotency-Key must be 1–255 bytes", request: description)
            }
            request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form.encoded))
        }

        let timeout = TimeAmount.nanoseconds(
            configuration.timeout.components.seconds * 1_000_000_000 + configuration.timeout.components.attoseconds / 1_000_000_000)
        let deadline = NIODeadline.now() + timeout
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await httpClient.execute(request, deadline: deadline, logger: logger)
            body = try await response.body.collect(upTo: configuration.maxResponseBytes)
        } catch let error as HTTPClientError where Self.isTimeout(error) {
            throw StripeAPIError(kind: .timeout, message: "no complete answer within \(configuration.timeout)", request: description)
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw StripeAPIError(
                kind: .invalidResponse, message: "the answer is larger than \(configuration.maxResponseBytes) bytes", request: description)
        } catch {
            throw StripeAPIError(
                kind: .transport, message: StripeSecrets.redact(String(describing: error), secret: configuration.secretKey),
                request: description)
        }
        let result = Response(status: response.status, headers: response.headers, body: body, request: description)
        logger.debug(
            "stripe request",
            metadata: [
                "stripe.request": "\(description)", "http.response.status_code": "\(response.status.code)",
                "stripe.request_id": "\(result.requestID ?? "-")",
            ])
        guard (200..<300).contains(response.status.code) else {
            throw apiError(from: result)
        }
        return result
    }

    private static func isTimeout(_ error: HTTPClientError) -> Bool {
        [.deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout]
            .contains(error)
    }

    private struct ErrorEnvelope: Decodable {
        struct Body: Decodable {
            var type: String?
            var code: String?
            var message: String?
            var param: String?
        }
        var error: Body
    }

    private func apiError(from response: Response) -> StripeAPIError {
        let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: response.body)
        let shouldRetry = response.headers.first(name: "Stripe-Should-Retry").flatMap { value -> Bool? in
            switch value.lowercased() {
            case "true": return true
            case "false": return false
            default: return nil
            }
        }
        let retryAfter = response.headers.first(name: "Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            .map { Duration.seconds($0) }
        var message = envelope?.error.message
        if message == nil, response.body.readableBytes > 0 {
            message = String(buffer: response.body.getSlice(at: response.body.readerIndex, length: min(200, response.body.readableBytes))!)
        }
        return StripeAPIError(
            kind: .api, status: Int(response.status.code), type: envelope?.error.type, code: envelope?.error.code,
            message: message.map { StripeSecrets.redact($0, secret: configuration.secretKey) }, param: envelope?.error.param,
            shouldRetry: shouldRetry, retryAfter: retryAfter, requestID: response.requestID, request: response.request)
    }

    func decode<Value: Decodable>(_ type: Value.Type, from response: Response) throws(StripeAPIError) -> Value {
        try Self.decode(type, from: response)
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from response: Response) throws(StripeAPIError) -> Value {
        do {
            return try JSONDecoder().decode(type, from: response.body)
        } catch {
            throw StripeAPIError(
                kind: .invalidResponse, status: Int(response.status.code), message: "not a \(type) (\(error))",
                requestID: response.requestID, request: response.request)
        }
    }
}

/// All customers, fetched page by page as the loop advances.
public struct StripeCustomerSequence: AsyncSequence, Sendable {
    /// Each element is one customer.
    public typealias Element = StripeCustomer

    let client: StripeClient
    let pageSize: Int
    let email: String?

    /// Creates the iterator.
    public func makeAsyncIterator() -> Iterator {
        Iterator(client: client, pageSize: pageSize, email: email)
    }

    /// Walks the pages with `starting_after`.
    public struct Iterator: AsyncIteratorProtocol {
        let client: StripeClient
        let pageSize: Int
        let email: String?
        private var buffer: [StripeCustomer] = []
        private var index = 0
        private var cursor: String?
        private var done = false

        init(client: StripeClient, pageSize: Int, email: String?) {
            self.client = client
            self.pageSize = pageSize
            self.email = email
        }

        /// The next customer, or `nil` after the last page.
        /// - Throws: ``StripeAPIError``.
        public mutating func next() async throws -> StripeCustomer? {
            while index == buffer.count {
                guard !done else { return nil }
                let page = try await client.customers(limit: pageSize, startingAfter: cursor, email: email)
                buffer = page.data
                index = 0
                cursor = page.data.last?.id
                done = !page.hasMore || page.data.isEmpty
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}
