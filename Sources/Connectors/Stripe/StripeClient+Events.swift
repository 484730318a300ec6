import NIOHTTP1

extension StripeClient {
    /// One page of events (`GET /v1/events`) of one type created at or after a time.
    ///
    /// One `type` per call, because that is what both Stripe and localstripe accept (localstripe knows neither
    /// `types[]` nor `*` wildcards). Stripe lists newest first, localstripe oldest first; `starting_after` pages on
    /// in either order. `created` has one-second resolution, and Stripe keeps events for 30 days.
    /// - Parameters:
    ///   - type: the event type, e.g. `customer.updated`.
    ///   - createdFrom: Unix seconds; only events with `created` ≥ this (`created[gte]`).
    ///   - limit: 1…100.
    ///   - startingAfter: the last event id of the previous page (``StripeEventPage/nextCursor``).
    /// - Throws: ``StripeAPIError``.
    public func events(type: String, createdFrom: Int64, limit: Int = 100, startingAfter: String? = nil) async throws(StripeAPIError)
        -> StripeEventPage
    {
        try await eventListing(type: type, createdFrom: createdFrom, limit: limit, startingAfter: startingAfter).page()
    }

    /// The same page as ``events(type:createdFrom:limit:startingAfter:)``, read only as far as its events' ids and
    /// types until ``StripeEventListing/page()`` is asked for.
    /// - Throws: ``StripeAPIError``.
    public func eventListing(type: String, createdFrom: Int64, limit: Int = 100, startingAfter: String? = nil) async throws(StripeAPIError)
        -> StripeEventListing
    {
        guard (1...100).contains(limit) else {
            throw StripeAPIError(kind: .invalidArgument, message: "limit must be between 1 and 100, not \(limit)")
        }
        guard !type.isEmpty, type.count <= 255 else {
            throw StripeAPIError(kind: .invalidArgument, message: "an event type must be 1–255 characters")
        }
        var query = StripeForm()
        query.append("type", type)
        query.append("created[gte]", String(createdFrom))
        query.append("limit", String(limit))
        if let startingAfter { query.append("starting_after", startingAfter) }
        return try StripeEventListing(response: try await send(.GET, "/v1/events", query: query))
    }
}
