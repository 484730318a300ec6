/// The payload of one kind of ``SyncEvent``: a Codable struct with a stable type name and a schema
/// version (never derived from the Swift type name).
public protocol SyncEventPayload: Codable, Sendable, Hashable {
    /// The stable type name stored in the `type` column.
    static var typeName: String { get }
    /// The schema version new events are written with.
    static var schemaVersion: Int { get }
}
