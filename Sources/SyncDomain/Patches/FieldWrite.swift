/// One field of an update: the value to write (empty clears the field) and its *base*, the value Accord last saw
/// on the target when it asked for the write.
///
/// The base is what makes an update safe to send late: at send time the worker reads the target and writes the
/// field only while the target still holds the base (or a value of an earlier write this one replaces, see
/// ``superseded``). A target that moved meanwhile is someone else's edit, and it is never overwritten
/// (``decide(live:)``).
public struct FieldWrite: Hashable, Sendable, Codable {
    /// The value to write; empty clears the field.
    public var value: String
    /// The value Accord last saw on the target (empty: the target was empty). `nil` only for writes recorded
    /// before bases existed (``EconomicWriteRequested`` and ``StripeWriteRequested`` schema version 1): those are
    /// laid over the target as they always were.
    public var base: String?
    /// Values of earlier writes of this field that this write replaces (see ``FieldPatch/superseding(_:)``). They
    /// are Accord's own and may have landed before this write is sent, so finding one on the target is no move.
    public var superseded: [String]
    /// How values are compared (``ValueEquivalence``): a re-spelled value is not a change.
    public var kind: FieldValueKind

    /// Creates a field write.
    public init(value: String, base: String?, superseded: [String] = [], kind: FieldValueKind) {
        self.value = value
        self.base = base
        self.superseded = superseded
        self.kind = kind
    }

    /// What to do with one field, given what the target holds now.
    public enum Decision: Hashable, Sendable {
        /// The target still holds the base (or a superseded value of Accord's): write the new value.
        case write
        /// The target already holds the new value: nothing to send for this field.
        case alreadyThere
        /// The target holds something else: someone edited it since Accord last looked. Keep it.
        case targetMoved
    }

    /// The send rule for this field.
    /// - Parameter live: What the target holds now (`nil` or blank: empty).
    public func decide(live: String?) -> Decision {
        let current = ValueEquivalence.canonical(live, kind: kind)
        if current == ValueEquivalence.canonical(value, kind: kind) { return .alreadyThere }
        guard let base else { return .write }
        if current == ValueEquivalence.canonical(base, kind: kind) { return .write }
        if superseded.contains(where: { ValueEquivalence.canonical($0, kind: kind) == current }) { return .write }
        return .targetMoved
    }

    /// Whether this write clears the field.
    public var clears: Bool { FieldValues.isBlank(value) }

    private enum CodingKeys: String, CodingKey { case value, base, superseded, kind }

    /// Encodes `{"value":…, "base":…, "kind":…}`; `superseded` only when there is one, `base` only when checked.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(value, forKey: .value)
        try c.encodeIfPresent(base, forKey: .base)
        if !superseded.isEmpty { try c.encode(superseded, forKey: .superseded) }
        try c.encode(kind, forKey: .kind)
    }

    /// Decodes the form written by ``encode(to:)``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        value = try c.decode(String.self, forKey: .value)
        base = try c.decodeIfPresent(String.self, forKey: .base)
        superseded = try c.decodeIfPresent([String].self, forKey: .superseded) ?? []
        kind = try c.decode(FieldValueKind.self, forKey: .kind)
    }
}
