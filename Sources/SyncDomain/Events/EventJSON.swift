import Foundation
import StreamingJSON

/// The JSON conventions of stored payloads: keys in their declaration order, ISO 8601 UTC dates with milliseconds
/// (dates without fractional seconds are accepted when reading).
enum EventJSON {
    static func encode(_ payload: some Encodable) throws -> Data {
        Data(try encoder.encode(payload).utf8)
    }

    /// Writes payloads in one pass (they are stored as `jsonb`, which keeps no key order).
    private static let encoder = StreamingJSONEncoder(dateFormat: { $0.formatted(withFraction) })

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = date(from: text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO 8601 date")
        }
        return try decoder.decode(type, from: data)
    }

    /// A stored date: ISO 8601 UTC, with or without fractional seconds; nil for any other text.
    static func date(from text: String) -> Date? {
        (try? withFraction.parse(text)) ?? (try? withoutFraction.parse(text))
    }

    /// A short explanation of a decoding error, with the coding path.
    static func describe(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "" : " at \(keys.joined(separator: "."))"
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing key '\(key.stringValue)'\(path(context))."
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context):
            var text = context.debugDescription
            while text.hasSuffix(".") { text.removeLast() }
            return "\(text)\(path(context))."
        default:
            return String(describing: error)
        }
    }

    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
    private static let withoutFraction = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)
}
