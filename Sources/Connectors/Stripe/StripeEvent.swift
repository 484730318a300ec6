/// A Stripe event as delivered to a webhook (or listed by `GET /v1/events`). `data.object` is decoded as a
/// customer when it is one (`customer.created`, `customer.updated`, `customer.deleted`); for other objects
/// only ``objectType`` is known.
///
/// The `customer.deleted` event carries the full customer as it was before the deletion (not the stub).
/// Events arrive late, twice or out of order: dedupe on ``id`` and re-fetch the customer.
public struct StripeEvent: Decodable, Sendable, Hashable {
    /// `evt_…`.
    public var id: String
    /// E.g. `customer.updated`.
    public var type: String
    /// Unix seconds (whole seconds: events can tie).
    public var created: Int64
    /// `false` in test mode.
    public var livemode: Bool
    /// The API version `data` was rendered in (localstripe: `2017-08-15`).
    public var apiVersion: String?
    /// `data.object.object`, e.g. `customer`.
    public var objectType: String?
    /// `data.object` when it is a customer.
    public var customer: StripeCustomer?
    /// `data.previous_attributes`: the old values of the changed fields, on `*.updated` (localstripe never sends it).
    public var previousAttributes: JSONValue?
    /// `request.id`: the API request that caused the event (`nil` for automatic events).
    public var requestID: String?
    /// `request.idempotency_key`: lets Accord recognise the echo of its own write.
    public var requestIdempotencyKey: String?

    /// Creates an event value.
    public init(
        id: String, type: String, created: Int64, livemode: Bool = false, apiVersion: String? = nil, objectType: String? = nil,
        customer: StripeCustomer? = nil, previousAttributes: JSONValue? = nil, requestID: String? = nil,
        requestIdempotencyKey: String? = nil
    ) {
        self.id = id
        self.type = type
        self.created = created
        self.livemode = livemode
        self.apiVersion = apiVersion
        self.objectType = objectType
        self.customer = customer
        self.previousAttributes = previousAttributes
        self.requestID = requestID
        self.requestIdempotencyKey = requestIdempotencyKey
    }

    enum CodingKeys: String, CodingKey {
        case id, type, created, livemode, data, request
        case apiVersion = "api_version"
    }

    enum DataKeys: String, CodingKey {
        case object
        case previousAttributes = "previous_attributes"
    }

    enum ObjectKeys: String, CodingKey {
        case object
    }

    enum RequestKeys: String, CodingKey {
        case id
        case idempotencyKey = "idempotency_key"
    }

    /// Decodes an event.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        type = try container.decode(String.self, forKey: .type)
        created = try container.decode(Int64.self, forKey: .created)
        livemode = try container.decodeIfPresent(Bool.self, forKey: .livemode) ?? false
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        let data = try container.nestedContainer(keyedBy: DataKeys.self, forKey: .data)
        let object = try data.nestedContainer(keyedBy: ObjectKeys.self, forKey: .object)
        objectType = try object.decodeIfPresent(String.self, forKey: .object)
        customer = objectType == "customer" ? try data.decode(StripeCustomer.self, forKey: .object) : nil
        previousAttributes = try data.decodeIfPresent(JSONValue.self, forKey: .previousAttributes)
        // `request` is an object in current API versions and a bare id string in old ones.
        if let request = try? container.nestedContainer(keyedBy: RequestKeys.self, forKey: .request) {
            requestID = try request.decodeIfPresent(String.self, forKey: .id)
            requestIdempotencyKey = try request.decodeIfPresent(String.self, forKey: .idempotencyKey)
        } else {
            requestID = try? container.decodeIfPresent(String.self, forKey: .request)
            requestIdempotencyKey = nil
        }
    }
}
