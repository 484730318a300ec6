/// The outcome of Create partners: the events for the customers that can get a partner, and why
/// the others were skipped (for the handler to report).
public struct CreatePartnersPlan: Sendable {
    /// Events to append (partners stream, new customer streams, new outbound streams).
    public var events: [SyncEvent]
    /// Customers that got a partner (or a creation request), in order.
    public var created: [CustomerRef]
    /// Customers that could not get one, with the reason.
    public var skipped: [CustomerRef: PartneringDecider.Error]

    /// Creates a plan.
    public init(events: [SyncEvent] = [], created: [CustomerRef] = [], skipped: [CustomerRef: PartneringDecider.Error] = [:]) {
        self.events = events
        self.created = created
        self.skipped = skipped
    }
}
