import Foundation

/// One page of `GET /v1/events`: each event decoded, with the JSON it was listed as (kept as the record of what
/// Stripe said, like a webhook delivery's body).
public struct StripeEventPage: Decodable, Sendable {
    /// An event of the page.
    public struct Entry: Decodable, Sendable {
        /// The event.
        public var event: StripeEvent
        /// The event as listed.
        public var json: JSONValue

        /// Makes an entry.
        public init(event: StripeEvent, json: JSONValue) {
            self.event = event
            self.json = json
        }

        /// Decodes the event and keeps its JSON.
        public init(from decoder: any Decoder) throws {
            event = try StripeEvent(from: decoder)
            json = try JSONValue(from: decoder)
        }

        /// The event's JSON as text (`jsonb`-ready).
        public var jsonText: String {
            (try? JSONEncoder().encode(json)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
    }

    /// The events (newest first in Stripe, oldest first in localstripe: don't rely on order).
    public var entries: [Entry]
    /// Whether more pages follow.
    public var hasMore: Bool

    /// Makes a page.
    public init(entries: [Entry], hasMore: Bool) {
        self.entries = entries
        self.hasMore = hasMore
    }

    /// The cursor for the next page: the last event's id.
    public var nextCursor: String? { hasMore ? entries.last?.event.id : nil }

    enum CodingKeys: String, CodingKey {
        case entries = "data"
        case hasMore = "has_more"
    }
}
