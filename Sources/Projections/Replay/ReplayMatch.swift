public import SyncDomain

/// A source customer's match result, as recorded in the log or as a proposal would have it: linked to whom, by
/// which rule and normalised key, or why not. Two results are the same partnering when outcome and partner agree
/// (``samePartnering(as:)``); rule and key are there to explain.
public struct ReplayMatch: Hashable, Sendable, Codable, CustomStringConvertible {
    /// What became (or would become) of the customer.
    public enum Outcome: String, Hashable, Sendable, Codable {
        /// Linked to an existing e-conomic customer (automatically or by a user).
        case linked
        /// Linked to an e-conomic customer Accord created for it.
        case created
        /// A partner is being created and not yet linked.
        case creationPending
        /// No match: a partner would be created (only a proposal says this).
        case wouldCreate
        /// Matching failed (empty match field, ambiguous, candidate taken).
        case matchFailed
        /// The customer's values cannot be written to e-conomic.
        case mappingFailed
        /// No partner and nothing under way (manual create policy, or never decided).
        case unpartnered
        /// A user chose "Don't synchronise".
        case excluded
        /// Deleted in its system.
        case deleted
    }

    /// What became of the customer.
    public var outcome: Outcome
    /// The e-conomic partner, when linked (or found by a proposal).
    public var partner: CustomerRef?
    /// The match pair that found the partner (`email ↔ email`), or how a link came about otherwise.
    public var rule: String?
    /// The normalised key that found the partner.
    public var key: MatchKey?
    /// Why matching or mapping failed.
    public var reason: String?

    /// Creates a result.
    public init(_ outcome: Outcome, partner: CustomerRef? = nil, rule: String? = nil, key: MatchKey? = nil, reason: String? = nil) {
        self.outcome = outcome
        self.partner = partner
        self.rule = rule
        self.key = key
        self.reason = reason
    }

    /// Whether the customer ends up the same way with the same partner (the rule or key that found it aside).
    public func samePartnering(as other: ReplayMatch) -> Bool {
        outcome == other.outcome && partner == other.partner
    }

    /// e.g. `linked to economic:1042 by email ↔ email (key email:jane@example.com)` or `matchFailed: …`.
    public var description: String {
        var text = outcome.rawValue
        if let partner { text += " to \(partner)" }
        if let rule { text += " by \(rule)" }
        if let key { text += " (key \(key))" }
        if let reason { text += ": \(reason)" }
        return text
    }

    /// Whether the customer has (or would have) an e-conomic partner.
    public var isLinked: Bool { outcome == .linked || outcome == .created }

    /// The match pair of `settings` whose key `key` is, for the fields a customer had when it matched: the first
    /// pair whose source value yields the key, spelled `source ↔ economic`.
    /// - Parameters:
    ///   - key: The key that matched.
    ///   - fields: The source customer's fields then.
    ///   - settings: The settings in force then.
    static func rule(of key: MatchKey, fields: [String: String], settings: TenantSettings) -> String? {
        for pair in settings.matchFields {
            guard let field = EconomicField(rawValue: pair.economic), let value = fields[pair.source] else { continue }
            if MatchKey.keys(for: value, field: field).contains(key) { return "\(pair.source) ↔ \(pair.economic)" }
        }
        return nil
    }
}
