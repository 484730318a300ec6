/// A normalised value to look customers up by, e.g. `email:jane@example.com`.
///
/// Keys of kind ``MatchKeyKind/text`` carry the e-conomic field they come from as a prefix
/// (`city:copenhagen`), so that two different free-text fields never match each other.
public struct MatchKey: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The kind of key.
    public var kind: MatchKeyKind
    /// The normalised value.
    public var value: String

    /// Creates a key from an already-normalised value (as decoded from storage or an index).
    /// - Parameters:
    ///   - kind: The kind of key.
    ///   - normalizedValue: A value already in ``MatchNormalizer`` form.
    public init(kind: MatchKeyKind, normalizedValue: String) {
        self.kind = kind
        self.value = normalizedValue
    }

    /// Normalises `raw` for `kind`; `nil` when nothing meaningful remains.
    /// - Parameters:
    ///   - kind: The kind of key.
    ///   - raw: The raw value.
    ///   - field: The e-conomic field, used to namespace ``MatchKeyKind/text`` keys.
    public init?(kind: MatchKeyKind, raw: String, field: EconomicField? = nil) {
        let normalized = MatchNormalizer.normalize(raw, as: kind)
        guard !normalized.isEmpty else { return nil }
        if kind == .text, let field {
            self.init(kind: kind, normalizedValue: field.rawValue + ":" + normalized)
        } else {
            self.init(kind: kind, normalizedValue: normalized)
        }
    }

    /// The keys a value of an e-conomic field yields: several for an e-mail field holding several
    /// addresses, none for a blank value. Order is preserved, duplicates removed.
    /// - Parameters:
    ///   - raw: The raw value (from either side).
    ///   - field: The e-conomic field of the match pair; decides the kind.
    public static func keys(for raw: String, field: EconomicField) -> [MatchKey] {
        let kind = field.matchKeyKind
        let parts = kind == .email ? MatchNormalizer.emailAddresses(in: raw) : [raw]
        var seen = Set<MatchKey>()
        var keys: [MatchKey] = []
        for part in parts {
            if let key = MatchKey(kind: kind, raw: part, field: field), seen.insert(key).inserted {
                keys.append(key)
            }
        }
        return keys
    }

    /// `kind:value`, e.g. `email:jane@example.com`.
    public var description: String { "\(kind.rawValue):\(value)" }

    /// Orders by kind, then value.
    public static func < (lhs: MatchKey, rhs: MatchKey) -> Bool {
        (lhs.kind.rawValue, lhs.value) < (rhs.kind.rawValue, rhs.value)
    }
}
