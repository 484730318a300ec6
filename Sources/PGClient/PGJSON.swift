public import Foundation

/// A `jsonb` value as JSON text, with helpers to go to and from `Codable` types.
///
/// PostgreSQL normalises `jsonb` (key order, whitespace), so compare decoded values, not texts.
public struct PGJSON: Sendable, Hashable, PGArrayElement, PGDecodable, CustomStringConvertible {
    /// The JSON text.
    public var text: String

    /// Wraps JSON text as is (it is validated by the server when sent).
    public init(text: String) { self.text = text }

    /// Encodes a value as JSON.
    /// - Throws: the encoder's error if the value cannot be encoded.
    public init(encoding value: some Encodable, encoder: JSONEncoder = PGJSON.defaultEncoder) throws {
        text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the JSON into a value.
    /// - Throws: `DecodingError` if the JSON does not fit `T`.
    public func decode<T: Decodable>(_ type: T.Type = T.self, decoder: JSONDecoder = PGJSON.defaultDecoder) throws -> T {
        try decoder.decode(T.self, from: Data(text.utf8))
    }

    /// `{}`
    public static let emptyObject = PGJSON(text: "{}")

    /// The encoder used by ``init(encoding:encoder:)``: sorted keys, ISO 8601 dates.
    public static var defaultEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// The decoder used by ``decode(_:decoder:)``: ISO 8601 dates.
    public static var defaultDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// `jsonb`
    public static var pgTypeOID: UInt32 { PGTypeOID.jsonb }
    /// `jsonb[]`
    public static var pgArrayTypeOID: UInt32 { PGTypeOID.jsonbArray }
    /// The JSON text.
    public var pgText: String { text }

    /// Reads `json`/`jsonb` text.
    public init(pgText bytes: UnsafeRawBufferPointer, typeOID: UInt32) throws {
        text = String(decoding: bytes, as: UTF8.self)
    }

    /// The JSON text.
    public var description: String { text }
}
