/// The fields an update changes, each with its new value and base (``FieldWrite``), keyed in the target's
/// vocabulary (e-conomic field names for e-conomic, Stripe source keys such as `address.city` for Stripe).
///
/// A patch names only what changed: whatever else the target holds — fields Accord does not manage, and managed
/// fields that did not change — is read live and sent back as it is (read-modify-write), never from a copy.
public struct FieldPatch: Hashable, Sendable, Codable {
    /// Field → write.
    public var fields: [String: FieldWrite]

    /// Creates a patch.
    public init(_ fields: [String: FieldWrite] = [:]) {
        self.fields = fields
    }

    /// The empty patch (a create has none).
    public static let empty = FieldPatch()

    /// A patch without bases, for writes recorded before bases existed: every value is laid over the target as
    /// it always was (see ``FieldWrite/base``).
    /// - Parameters:
    ///   - values: Field → value (empty clears).
    ///   - kind: How to compare a field's values.
    public static func unchecked(_ values: [String: String], kind: (String) -> FieldValueKind) -> FieldPatch {
        FieldPatch(Dictionary(uniqueKeysWithValues: values.map { ($0.key, FieldWrite(value: $0.value, base: nil, kind: kind($0.key))) }))
    }

    /// Whether the patch changes nothing.
    public var isEmpty: Bool { fields.isEmpty }

    /// Field → new value (empty: cleared), e.g. to show what a request sends.
    public var values: [String: String] { fields.mapValues(\.value) }

    /// What to send, given the target's live fields: the per-field rule (``FieldWrite/decide(live:)``) for every
    /// field of the patch.
    /// - Parameter live: The target's fields as read just now (absent or blank: empty).
    public func plan(live: [String: String]) -> PatchPlan {
        var plan = PatchPlan()
        for (key, write) in fields {
            switch write.decide(live: live[key]) {
            case .write: plan.writes[key] = write.value
            case .alreadyThere: plan.alreadyThere[key] = live[key] ?? ""
            case .targetMoved: plan.targetMoved[key] = live[key] ?? ""
            }
        }
        return plan
    }

    /// This patch carried forward over an older one it supersedes, so that nothing the older one asked for is
    /// lost: fields only the older one names are kept as they were; a field both name gets this patch's value,
    /// the older one's base (the target value before Accord's pending writes) and the older value among the
    /// superseded ones (it may have landed).
    /// - Parameter older: The pending patch this one replaces.
    public func superseding(_ older: FieldPatch) -> FieldPatch {
        var merged = older.fields
        for (key, write) in fields {
            guard let previous = older.fields[key] else {
                merged[key] = write
                continue
            }
            var superseded = previous.superseded
            if !superseded.contains(previous.value) { superseded.append(previous.value) }
            merged[key] = FieldWrite(value: write.value, base: previous.base, superseded: superseded, kind: write.kind)
        }
        return FieldPatch(merged)
    }

    /// Encodes as a plain object, field → write.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fields)
    }

    /// Decodes a plain object, field → write.
    public init(from decoder: any Decoder) throws {
        fields = try decoder.singleValueContainer().decode([String: FieldWrite].self)
    }
}
