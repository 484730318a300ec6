/// Finds the e-conomic partner of a source customer by the tenant's match pairs. Pure: lookups go
/// through a closure the caller backs with its match index.
///
/// Rules:
/// 1. Every *required* pair is checked first: the first one whose source value is empty gives
///    ``MatchOutcome/matchFieldMissing(field:)`` — an empty key is never a reason to create.
/// 2. Pairs are then walked in order, and within a pair each key (an e-mail field may hold several
///    addresses). Optional pairs with an empty value are skipped. The first key that finds any
///    candidate decides: exactly one free candidate → matched (already-partnered candidates of the
///    same key are ignored, they are taken); several free → ambiguous; only partnered ones →
///    candidate already linked.
/// 3. No key finds anything → ``MatchOutcome/noMatch(keys:)``.
public enum MatchResolver {
    /// Resolves a source customer.
    /// - Parameters:
    ///   - source: The source customer's fields.
    ///   - settings: The tenant's settings (match pairs).
    ///   - lookup: The candidates the e-conomic side has for a key.
    public static func resolve(
        source: [String: String], settings: TenantSettings, lookup: (MatchKey) -> [MatchCandidate]
    ) -> MatchOutcome {
        let pairs = settings.matchFields.compactMap { pair in EconomicField(rawValue: pair.economic).map { (pair, $0) } }
        for (pair, _) in pairs where pair.required && FieldValues.isBlank(source[pair.source]) {
            return .matchFieldMissing(field: pair.source)
        }
        var tried: [MatchKey] = []
        for (pair, field) in pairs {
            guard let value = source[pair.source], !FieldValues.isBlank(value) else { continue }
            let keys = MatchKey.keys(for: value, field: field)
            if keys.isEmpty && pair.required { return .matchFieldMissing(field: pair.source) }
            for key in keys where !tried.contains(key) {
                tried.append(key)
                var candidates: [MatchCandidate] = []
                for candidate in lookup(key) where !candidates.contains(candidate) { candidates.append(candidate) }
                guard !candidates.isEmpty else { continue }
                let free = candidates.filter(\.isFree)
                switch free.count {
                case 1: return .matched(free[0], key: key)
                case 0: return .candidateAlreadyLinked(key: key, candidates: candidates)
                default: return .ambiguous(key: key, candidates: free)
                }
            }
        }
        return .noMatch(keys: tried)
    }

    /// The keys a source customer yields, in pair order (for display and for reconciling a create).
    /// - Parameters:
    ///   - source: The source customer's fields.
    ///   - settings: The tenant's settings.
    public static func sourceKeys(_ source: [String: String], settings: TenantSettings) -> [MatchKey] {
        var keys: [MatchKey] = []
        for pair in settings.matchFields {
            guard let field = EconomicField(rawValue: pair.economic), let value = source[pair.source] else { continue }
            for key in MatchKey.keys(for: value, field: field) where !keys.contains(key) { keys.append(key) }
        }
        return keys
    }

    /// The keys an e-conomic customer is indexed under (the reverse direction): one per match pair's
    /// e-conomic field, several for an e-mail field holding several addresses.
    /// - Parameters:
    ///   - economic: The e-conomic customer's fields.
    ///   - settings: The tenant's settings.
    public static func economicKeys(_ economic: [String: String], settings: TenantSettings) -> [MatchKey] {
        var keys: [MatchKey] = []
        for pair in settings.matchFields {
            guard let field = EconomicField(rawValue: pair.economic), let value = economic[pair.economic] else { continue }
            for key in MatchKey.keys(for: value, field: field) where !keys.contains(key) { keys.append(key) }
        }
        return keys
    }
}
