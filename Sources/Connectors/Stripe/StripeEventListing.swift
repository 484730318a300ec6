import Foundation

/// One page of Stripe's events list as it came, read only as far as each event's id and type.
///
/// A catch-up lists every event since its cursor minus an overlap, so most of what it lists it holds already: it
/// asks which of ``summaries`` are new, and decodes the whole page (``page()``, each event and its JSON) only when
/// one is.
public struct StripeEventListing: Sendable {
    /// An event of the page, by id and type.
    public struct Summary: Decodable, Sendable, Hashable {
        /// The event's id (`evt_…`).
        public var id: String
        /// The event's type, e.g. `customer.updated`.
        public var type: String
    }

    /// The page's events in the order listed.
    public let summaries: [Summary]
    /// Whether more pages follow.
    public let hasMore: Bool
    private let response: StripeClient.Response

    init(response: StripeClient.Response) throws(StripeAPIError) {
        struct Shape: Decodable {
            var summaries: [Summary]
            var hasMore: Bool
            enum CodingKeys: String, CodingKey {
                case summaries = "data"
                case hasMore = "has_more"
            }
        }
        let shape = try StripeClient.decode(Shape.self, from: response)
        self.summaries = shape.summaries
        self.hasMore = shape.hasMore
        self.response = response
    }

    /// The cursor for the next page: the last event's id (as ``StripeEventPage/nextCursor``).
    public var nextCursor: String? { hasMore ? summaries.last?.id : nil }

    /// The whole page: each event decoded, with its JSON.
    /// - Throws: ``StripeAPIError`` (`invalidResponse`) when an event is not what Stripe sends.
    public func page() throws(StripeAPIError) -> StripeEventPage {
        try StripeClient.decode(StripeEventPage.self, from: response)
    }
}
