public import EventStore
public import Foundation

/// A verified Stripe delivery, as the webhook endpoint records it in the inbox.
public struct WebhookDelivery: Sendable, Hashable {
    /// The tenant whose endpoint it was sent to.
    public var tenant: TenantID
    /// The event id (`evt_…`).
    public var eventID: String
    /// The event type (`customer.updated`).
    public var eventType: String
    /// The object the event is about (a Stripe customer id), if any.
    public var objectID: String?
    /// The event's creation time.
    public var eventCreated: Date
    /// The signed payload, as received (JSON text).
    public var payload: String

    /// Makes a delivery.
    public init(tenant: TenantID, eventID: String, eventType: String, objectID: String?, eventCreated: Date, payload: String) {
        self.tenant = tenant
        self.eventID = eventID
        self.eventType = eventType
        self.objectID = objectID
        self.eventCreated = eventCreated
        self.payload = payload
    }
}
