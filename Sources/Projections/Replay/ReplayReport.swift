/// The answer of a replay: where in the log it stopped, the settings in force there and the proposal's, the
/// summary over every source customer, and the customers the proposal changes (a page of them, with their count).
public struct ReplayReport: Hashable, Sendable, Codable {
    /// The global position of the last event folded (`nil`: the tenant's log is empty).
    public var position: Int64?
    /// How many events were folded.
    public var events: Int
    /// The settings version in force at ``position``.
    public var settingsVersion: Int
    /// The summary over every source customer.
    public var summary: ReplaySummary
    /// How many customers the proposal changes (all of them, not only this page).
    public var changed: Int
    /// The changed customers (or the one asked for), by customer.
    public var customers: [CustomerReplay]

    /// Creates a report.
    public init(position: Int64?, events: Int, settingsVersion: Int, summary: ReplaySummary, changed: Int, customers: [CustomerReplay]) {
        self.position = position
        self.events = events
        self.settingsVersion = settingsVersion
        self.summary = summary
        self.changed = changed
        self.customers = customers
    }
}
