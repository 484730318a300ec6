/// A source customer that cannot be mapped; lists every problem so that all can be fixed at once.
public struct MappingError: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The problems, in field order.
    public var problems: [MappingProblem]

    /// Creates an error.
    /// - Parameter problems: The problems (at least one).
    public init(problems: [MappingProblem]) { self.problems = problems }

    /// The problems joined into one message.
    public var description: String { problems.map(\.description).joined(separator: " ") }
}
