/// SplitMix64: a small, fast generator whose whole state is one number, so a sandbox started with the
/// same seed and sent the same requests in the same order injects the same faults (and a chaos run with the
/// same seed applies the same operations).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// The whole state: saving it and starting again from it continues the same sequence.
    public private(set) var state: UInt64

    /// Starts the sequence of `seed`.
    public init(seed: UInt64) {
        self.state = seed
    }

    /// The next number of the sequence.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<1.
    public mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }
}
