/// What a writer believes a stream's version to be before it appends (optimistic concurrency).
///
/// Stream versions start at 1 for the first event; an empty stream has version 0.
public enum ExpectedVersion: Hashable, Sendable, CustomStringConvertible {
    /// Append whatever the stream's version is (the append retries internally if another writer races it).
    case any
    /// The stream must not exist yet (version 0).
    case noStream
    /// The stream's last event must have exactly this version.
    case exactly(Int64)

    /// `-1` for ``any``, otherwise the expected version.
    var sqlValue: Int64 {
        switch self {
        case .any: return -1
        case .noStream: return 0
        case .exactly(let version): return version
        }
    }

    /// `any`, `noStream` or the number.
    public var description: String {
        switch self {
        case .any: return "any"
        case .noStream: return "noStream"
        case .exactly(let version): return "\(version)"
        }
    }
}
