/// A stored event that cannot be turned back into a ``SyncEvent``.
public enum EventDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No payload type has this name.
    case unknownType(String)
    /// The type is known but not in this schema version.
    case unsupportedSchemaVersion(type: String, version: Int, newestSupported: Int)
    /// The JSON does not match the payload's schema.
    case invalidPayload(type: String, schemaVersion: Int, reason: String)

    /// A message naming the type, version and problem.
    public var description: String {
        switch self {
        case .unknownType(let type):
            "Unknown event type '\(type)'; this build of Accord cannot read it (is it older than the data?)."
        case .unsupportedSchemaVersion(let type, let version, let newest):
            "Event type '\(type)' schema version \(version) is not supported; this build reads versions 1 to \(newest)."
        case .invalidPayload(let type, let version, let reason):
            "Event '\(type)' (schema version \(version)) has an invalid payload: \(reason)"
        }
    }
}
