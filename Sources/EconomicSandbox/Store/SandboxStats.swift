/// Counters the admin API reports (`GET /_sandbox/stats`). Not persisted.
public struct SandboxStats: Codable, Sendable, Equatable {
    /// Requests seen, by method, path pattern and status (status 0 = response dropped on purpose).
    public struct RequestCount: Codable, Sendable, Equatable {
        /// HTTP method.
        public var method: String
        /// Path with identifiers replaced, e.g. `/customers/{id}`.
        public var path: String
        /// Response status, or 0 for a dropped response.
        public var status: Int
        /// How many.
        public var count: Int
    }

    /// Requests by method, path and status, sorted.
    public var requests: [RequestCount]
    /// Customers created through `POST /customers` (admin seeding not counted).
    public var customersCreated: Int
    /// Customers replaced through `PUT /customers/{n}`.
    public var customersReplaced: Int
    /// Customers deleted through `DELETE /customers/{n}`.
    public var customersDeleted: Int
    /// Faults injected by kind (`rateLimit`, `serverError`, `dropResponse`).
    public var faultsInjected: [String: Int]
    /// Customers stored now.
    public var customerCount: Int
}

/// A fault the sandbox can inject into one request.
public enum SandboxFault: String, Codable, Sendable, CaseIterable {
    /// 429 with `Retry-After`.
    case rateLimit
    /// A 5xx with an e-conomic-shaped body.
    case serverError
    /// Carry the request out, then close the connection without a response.
    case dropResponse
}
