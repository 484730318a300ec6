/// A system Accord synchronises customers between.
public enum System: String, Codable, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Stripe customers (a source; Accord can write back to it).
    case stripe
    /// Visma e-conomic customers (the accounting side).
    case economic
    /// Rows of imported customer files (a source Accord cannot write to).
    case file

    /// Whether this system is a source (Stripe or a file) rather than the accounting side.
    public var isSource: Bool { self != .economic }

    /// Whether Accord can write changes to customers of this system (files are read-only).
    public var isWritable: Bool { self != .file }

    /// The raw value, e.g. `stripe`.
    public var description: String { rawValue }
}
