public import Foundation

extension SyncEvent {
    /// Encodes the event for storage.
    /// - Returns: The stable type name, the schema version and the JSON payload (sorted keys,
    ///   ISO 8601 dates with milliseconds).
    /// - Throws: `EncodingError` if a value cannot be encoded (not expected for valid events).
    public func encode() throws -> (type: String, schemaVersion: Int, data: Data) {
        (typeName, schemaVersion, try EventJSON.encode(payload))
    }

    /// Decodes a stored event, upcasting older schema versions (``SyncEventPayload/decode(schemaVersion:from:)``).
    /// Never skips and never crashes: anything it cannot read is an error.
    /// - Parameters:
    ///   - type: The stored type name.
    ///   - schemaVersion: The stored schema version.
    ///   - data: The stored JSON payload.
    /// - Throws: ``EventDecodingError`` for an unknown type, an unsupported version or a payload
    ///   that does not decode.
    public static func decode(type: String, schemaVersion: Int, data: Data) throws(EventDecodingError) -> SyncEvent {
        guard let payloadType = payloadTypesByName[type] else { throw .unknownType(type) }
        guard (1...payloadType.schemaVersion).contains(schemaVersion) else {
            throw .unsupportedSchemaVersion(type: type, version: schemaVersion, newestSupported: payloadType.schemaVersion)
        }
        do {
            return SyncEvent(try payloadType.decode(schemaVersion: schemaVersion, from: data))
        } catch {
            throw .invalidPayload(type: type, schemaVersion: schemaVersion, reason: EventJSON.describe(error))
        }
    }

    private static let payloadTypesByName: [String: any SyncEventPayload.Type] = Dictionary(
        uniqueKeysWithValues: payloadTypes.map { ($0.typeName, $0) })
}
