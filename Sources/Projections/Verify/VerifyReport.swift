public import EventStore

/// What `accord verify` found for one projection and tenant: per table, how many rows differ between the live rows
/// and the rows rebuilt from the events, and the first of them described.
public struct VerifyReport: Sendable, Hashable, Codable {
    /// One table of the projection.
    public struct Table: Sendable, Hashable, Codable {
        /// The table's base name (the view readers use), e.g. `customers`.
        public var name: String
        /// The tenant's live rows.
        public var liveRows: Int
        /// The tenant's rows rebuilt from its events.
        public var rebuiltRows: Int
        /// How many rows differ (changed, only live, only rebuilt).
        public var differing: Int
        /// The first differing rows, in key order (at most the number asked for).
        public var shown: [RowDifference]
        /// Whether the live rows are exactly the rebuilt ones.
        public var identical: Bool { differing == 0 }
    }

    /// The projection.
    public var projection: String
    /// Its active version, whose live tables were compared.
    public var version: Int
    /// The tenant compared.
    public var tenant: TenantID
    /// The live projector's checkpoint: both sides hold the tenant's events up to here.
    public var position: Checkpoint
    /// The tenant's events the rebuild applied.
    public var events: Int
    /// The tenant's events after the live checkpoint (the live projector has not applied them yet; not compared).
    public var behind: Int
    /// The tables, in the projector's order.
    public var tables: [Table]

    /// Whether every table is identical.
    public var identical: Bool { tables.allSatisfy(\.identical) }
}
