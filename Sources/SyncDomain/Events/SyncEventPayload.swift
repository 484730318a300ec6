public import Foundation

/// The payload of one kind of ``SyncEvent``: a Codable struct with a stable type name and a schema
/// version (never derived from the Swift type name).
public protocol SyncEventPayload: Codable, Sendable, Hashable {
    /// The stable type name stored in the `type` column.
    static var typeName: String { get }
    /// The schema version new events are written with.
    static var schemaVersion: Int { get }
    /// Decodes a payload stored with `schemaVersion` (1 … ``schemaVersion``). A payload whose shape changed
    /// upcasts its older versions here, so that a stored event keeps meaning what it meant; events are never
    /// rewritten. The default decodes the current shape.
    /// - Throws: `DecodingError` (or any error) when the data is not a payload of that version.
    static func decode(schemaVersion: Int, from data: Data) throws -> Self
}

extension SyncEventPayload {
    /// Decodes the current shape, whatever the version (payloads whose versions only added optional fields).
    public static func decode(schemaVersion: Int, from data: Data) throws -> Self {
        try EventJSON.decode(Self.self, from: data)
    }
}
