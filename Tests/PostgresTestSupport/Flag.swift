import Synchronization

/// A flag set by one task and read by another.
public final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    /// An unset flag.
    public init() {}

    /// Whether it has been set.
    public var isSet: Bool { value.load(ordering: .acquiring) }

    /// Sets it.
    public func set() { value.store(true, ordering: .releasing) }
}
