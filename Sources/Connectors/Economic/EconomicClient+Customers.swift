public import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

extension EconomicClient {
    /// e-conomic's largest page.
    public static let maxPageSize = 1000

    /// One page of `GET /customers`.
    /// - Parameters:
    ///   - filter: A filter, or `nil` for all customers.
    ///   - sort: e.g. `"customerNumber"`, `"-lastUpdated"`, `"name,-city"`; `nil` keeps e-conomic's order.
    ///   - page: 0-based page index (`skippages`).
    ///   - pageSize: 1…1000 (`pagesize`).
    /// - Throws: ``EconomicAPIError``; `.badRequest` before sending when `pageSize` is out of range.
    public func customers(
        filter: EconomicFilter? = nil,
        sort: String? = nil,
        page: Int = 0,
        pageSize: Int = EconomicClient.maxPageSize
    ) async throws(EconomicAPIError) -> EconomicPage<EconomicCustomer> {
        try await collectionPage("/customers", filter: filter, sort: sort, page: page, pageSize: pageSize, operation: "list customers")
    }

    /// Every page of `GET /customers`, read one after another as the sequence is iterated.
    ///
    /// Paging by page index is not a snapshot: a customer created or deleted while paging can shift later pages.
    /// Sorting by `customerNumber` (the default here) keeps that to the edges.
    public func customerPages(
        filter: EconomicFilter? = nil,
        sort: String? = "customerNumber",
        pageSize: Int = EconomicClient.maxPageSize
    ) -> EconomicPages<EconomicCustomer> {
        EconomicPages(pageSize: pageSize) { page, pageSize throws(EconomicAPIError) in
            try await customers(filter: filter, sort: sort, page: page, pageSize: pageSize)
        }
    }

    /// All customers matching the filter, every page read.
    public func allCustomers(
        filter: EconomicFilter? = nil,
        sort: String? = "customerNumber",
        pageSize: Int = EconomicClient.maxPageSize
    ) async throws(EconomicAPIError) -> [EconomicCustomer] {
        try await customerPages(filter: filter, sort: sort, pageSize: pageSize).collectAll()
    }

    /// Customers changed after the given time (`lastUpdated$gt:…Z`), oldest change first, every page read.
    /// e-conomic keeps `lastUpdated` to the second, so pass the last seen `lastUpdated` minus a margin
    /// (and de-duplicate) rather than "now".
    public func customers(updatedAfter date: Date, pageSize: Int = EconomicClient.maxPageSize) async throws(EconomicAPIError)
        -> [EconomicCustomer]
    {
        try await allCustomers(filter: .lastUpdated(after: date), sort: "lastUpdated,customerNumber", pageSize: pageSize)
    }

    /// `GET /customers/{number}`, or `nil` when there is no such customer.
    public func customer(number: Int) async throws(EconomicAPIError) -> EconomicCustomer? {
        let operation = "read customer \(number)"
        let response = try await send(.GET, path: "/customers/\(number)", operation: operation, allow404: true)
        if response.status == 404 { return nil }
        return try decode(EconomicCustomer.self, from: response, operation: operation)
    }

    /// `POST /customers`. Leave ``EconomicCustomer/customerNumber`` `nil` to let e-conomic assign one; the returned
    /// customer carries the number e-conomic chose (read from the 201 body).
    ///
    /// A failure with ``EconomicAPIError/isAmbiguous`` means the customer may exist now: look it up by its match
    /// keys before creating it again.
    /// When the `201` cannot be used, the error carries the number its `Location` header (or the body) names, if any
    /// (``EconomicAPIError/createdCustomerNumber``): the customer was made.
    public func createCustomer(_ customer: EconomicCustomer) async throws(EconomicAPIError) -> EconomicCustomer {
        let operation = "create customer" + (customer.customerNumber.map { " \($0)" } ?? "")
        let body = try encode(customer.writeBody, operation: operation)
        let response = try await send(.POST, path: "/customers", body: body, operation: operation)
        let created: EconomicCustomer
        do {
            created = try decode(EconomicCustomer.self, from: response, operation: operation)
        } catch {
            var error = error
            error.isWrite = true
            error.createdCustomerNumber = Self.createdNumber(location: response.headers.first(name: "Location"), body: Data(buffer: response.body))
            throw error
        }
        guard created.customerNumber != nil else {
            var error = EconomicAPIError(
                code: .invalidResponse, operation: operation, httpStatus: response.status,
                message: "the response has no customerNumber", isWrite: true)
            error.createdCustomerNumber = Self.createdNumber(location: response.headers.first(name: "Location"), body: Data(buffer: response.body))
            throw error
        }
        return created
    }

    /// The number of a created customer from its `Location` (`…/customers/{n}`), else from a body that holds at least
    /// `"customerNumber": n`.
    static func createdNumber(location: String?, body: Data) -> Int? {
        if let location, let last = location.split(separator: "/").last, let number = Int(last), number > 0 { return number }
        struct Numbered: Decodable { var customerNumber: Int }
        return (try? JSONDecoder().decode(Numbered.self, from: body))?.customerNumber
    }

    /// `PUT /customers/{number}`: a FULL replace. Every optional property the customer lacks is cleared in e-conomic,
    /// so start from what e-conomic has; ``updateCustomer(number:modify:)`` does that.
    public func replaceCustomer(number: Int, _ customer: EconomicCustomer) async throws(EconomicAPIError) -> EconomicCustomer {
        let operation = "replace customer \(number)"
        var customer = customer
        if customer.customerNumber == nil { customer.customerNumber = number }
        let body = try encode(customer.writeBody, operation: operation)
        let response = try await send(.PUT, path: "/customers/\(number)", body: body, operation: operation)
        return try decode(EconomicCustomer.self, from: response, operation: operation)
    }

    /// Reads the customer, lets `modify` change it, and writes it back with PUT (read-modify-write, so properties
    /// that are not touched are kept).
    /// - Throws: ``EconomicAPIError`` with code `.notFound` when the customer does not exist; whatever `modify` throws
    ///   is wrapped as `.badRequest`.
    public func updateCustomer(
        number: Int,
        modify: (inout EconomicCustomer) throws -> Void
    ) async throws(EconomicAPIError) -> EconomicCustomer {
        guard var customer = try await customer(number: number) else {
            throw EconomicAPIError(
                code: .notFound, operation: "update customer \(number)", httpStatus: 404, message: "Resource not found.", isWrite: true,
                requestMayHaveBeenSent: false)
        }
        do {
            try modify(&customer)
        } catch {
            throw EconomicAPIError(
                code: .badRequest, operation: "update customer \(number)", message: "\(error)", isWrite: true, requestMayHaveBeenSent: false)
        }
        return try await replaceCustomer(number: number, customer)
    }

    /// `DELETE /customers/{number}`.
    /// - Returns: `false` when the customer did not exist (404), `true` when it was deleted.
    @discardableResult
    public func deleteCustomer(number: Int) async throws(EconomicAPIError) -> Bool {
        let response = try await send(.DELETE, path: "/customers/\(number)", operation: "delete customer \(number)", allow404: true)
        return response.status != 404
    }

    // MARK: Collections

    func collectionPage<Item: Decodable & Sendable>(
        _ path: String,
        filter: EconomicFilter? = nil,
        sort: String? = nil,
        page: Int,
        pageSize: Int,
        operation: String
    ) async throws(EconomicAPIError) -> EconomicPage<Item> {
        guard (1...Self.maxPageSize).contains(pageSize) else {
            throw EconomicAPIError(
                code: .badRequest, operation: operation, message: "pageSize must be 1…\(Self.maxPageSize), not \(pageSize)",
                requestMayHaveBeenSent: false)
        }
        guard page >= 0 else {
            throw EconomicAPIError(code: .badRequest, operation: operation, message: "page must not be negative", requestMayHaveBeenSent: false)
        }
        var query = [("skippages", String(page)), ("pagesize", String(pageSize))]
        if let filter { query.append(("filter", filter.queryValue)) }
        if let sort { query.append(("sort", EconomicFilter.percentEncode(sort))) }
        let response = try await send(.GET, path: path, query: query, operation: operation)
        return try decode(EconomicPage<Item>.self, from: response, operation: operation)
    }
}

/// The pages of a collection, fetched lazily one at a time.
public struct EconomicPages<Item: Decodable & Sendable>: AsyncSequence, Sendable {
    /// One page.
    public typealias Element = EconomicPage<Item>
    /// Typed failure.
    public typealias Failure = EconomicAPIError

    let pageSize: Int
    let fetch: @Sendable (Int, Int) async throws(EconomicAPIError) -> EconomicPage<Item>

    init(pageSize: Int, fetch: @escaping @Sendable (Int, Int) async throws(EconomicAPIError) -> EconomicPage<Item>) {
        self.pageSize = pageSize
        self.fetch = fetch
    }

    /// Iterates page by page until a page says there is no next one.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let pages: EconomicPages
        var nextPage: Int? = 0

        /// The next page, or `nil` after the last.
        public mutating func next() async throws(EconomicAPIError) -> EconomicPage<Item>? {
            try await next(isolation: nil)
        }

        /// The next page, or `nil` after the last.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(EconomicAPIError) -> EconomicPage<Item>? {
            guard let index = nextPage else { return nil }
            let page = try await pages.fetch(index, pages.pageSize)
            nextPage = page.hasNextPage && !page.items.isEmpty ? index + 1 : nil
            return page
        }
    }

    /// Starts at page 0.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(pages: self)
    }

    /// Every item of every page.
    public func collectAll() async throws(EconomicAPIError) -> [Item] {
        var items: [Item] = []
        var iterator = makeAsyncIterator()
        while let page = try await iterator.next() {
            items.append(contentsOf: page.items)
        }
        return items
    }
}
