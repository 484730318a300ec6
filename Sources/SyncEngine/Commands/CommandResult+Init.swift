public import SyncDomain

extension CommandResult {
    /// What another carrier-out of the same commands appended (the server's in-memory one in tests reports
    /// through the same type as ``CommandHandler``).
    public init(appended events: [SyncEvent], at positions: [Int64]) {
        self.init(events: events, positions: positions)
    }
}

extension CreatePartnersResult {
    /// What another carrier-out of "create partners for all" did.
    public init(_ result: CommandResult, created: [CustomerRef], skipped: [CustomerRef: String]) {
        self.init(result: result, created: created, skipped: skipped)
    }
}
