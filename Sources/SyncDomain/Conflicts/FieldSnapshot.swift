/// Everything the three-way merge knows about one mapped field of a link, in e-conomic's vocabulary.
///
/// Besides the value both sides last agreed on, the link keeps the value last *seen* on each side.
/// A side counts as changed only when its current value differs from both its last seen value and
/// the agreed value. That is what keeps a read-only source (a CSV file) from undoing e-conomic
/// changes: after an e-conomic change is accepted, `agreed` moves on while `sourceSeen` keeps the
/// file's old value, so re-importing the unchanged file is not a "source change". It is also loop
/// prevention: the echo of a write equals `agreed` and therefore changes nothing.
///
/// `nil` means empty everywhere (a link starts with both sides "seen" at the agreed values).
public struct FieldSnapshot: Hashable, Sendable, Codable {
    /// The current mapped source value (`nil` = empty).
    public var source: String?
    /// The mapped source value last seen for this link.
    public var sourceSeen: String?
    /// The current e-conomic value.
    public var economic: String?
    /// The e-conomic value last seen for this link.
    public var economicSeen: String?
    /// The value both sides last agreed on (the base).
    public var agreed: String?

    /// Creates a snapshot.
    public init(source: String?, sourceSeen: String? = nil, economic: String?, economicSeen: String? = nil, agreed: String?) {
        self.source = source
        self.sourceSeen = sourceSeen
        self.economic = economic
        self.economicSeen = economicSeen
        self.agreed = agreed
    }

    /// A classic three-way snapshot: both sides last seen at the agreed value.
    public static func threeWay(source: String?, economic: String?, base: String?) -> FieldSnapshot {
        FieldSnapshot(source: source, sourceSeen: base, economic: economic, economicSeen: base, agreed: base)
    }

    /// The same snapshot with the sides swapped.
    public var mirrored: FieldSnapshot {
        FieldSnapshot(source: economic, sourceSeen: economicSeen, economic: source, economicSeen: sourceSeen, agreed: agreed)
    }

    /// The current value on a side.
    public func current(_ side: Side) -> String? { side == .source ? source : economic }

    /// The last seen value on a side.
    public func seen(_ side: Side) -> String? { side == .source ? sourceSeen : economicSeen }
}
